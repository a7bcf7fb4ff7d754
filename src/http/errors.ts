// Typed errors thrown anywhere below the routes and turned into answers by the one error handler.

export interface FieldProblem {
  field: string;
  reason: string;
}

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(statusCode: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends HttpError {
  readonly problems: FieldProblem[];

  constructor(problems: FieldProblem[]) {
    super(400, 'invalid_request', problems.map((p) => `${p.field || '(body)'}: ${p.reason}`).join('; '), { problems });
    this.problems = problems;
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new HttpError(409, 'conflict', message, details);
