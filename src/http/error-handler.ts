// The one error handler: 4xx answers say what was wrong and where; anything else is a 500 whose
// details stay in the log.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { HttpError, type FieldProblem } from './errors.ts';

/** Body fields are named as CONTRACT.md names them ("home.pincode"); other parts get a prefix. */
function requestPart(context: string | undefined): string {
  if (context === 'querystring') return 'query';
  return context === 'body' || !context ? '' : context;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const part = requestPart(error.validationContext);
      const problems: FieldProblem[] = error.validation.flatMap((issue) => {
        const path = issue.instancePath.split('/').filter(Boolean).join('.');
        const keys = (issue.params as { keys?: string[] }).keys;
        if (issue.keyword === 'unrecognized_keys' && keys) {
          return keys.map((key) => ({ field: [part, path, key].filter(Boolean).join('.'), reason: 'unknown field' }));
        }
        return [{ field: [part, path].filter(Boolean).join('.'), reason: issue.message ?? 'invalid' }];
      });
      return reply.status(400).send({
        error: 'invalid_request',
        message: problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
        problems,
      });
    }
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({ error: error.code, message: error.message, ...error.details });
    }
    const statusCode = error.statusCode ?? 500;
    if (statusCode >= 400 && statusCode < 500) {
      return reply.status(statusCode).send({ error: error.code ?? 'bad_request', message: error.message });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply.status(503).header('retry-after', '5').send({ error: 'unavailable', message: 'the database is unavailable; try again shortly' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });
}

function isDatabaseUnavailable(error: { code?: string; message?: string }): boolean {
  return (
    ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001'].includes(error.code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(error.message ?? '')
  );
}
