// The whole HTTP application as one function that tests build with a real database and call
// through inject(); src/server.ts adds the process around it (listen, signals).
import Fastify, { type FastifyBaseLogger } from 'fastify';
import helmet from 'helmet';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { authentication } from './access/authenticate.ts';
import type { Config } from './config.ts';
import { duplicateRoutes } from './routes/duplicates.ts';
import { installErrorHandler } from './http/error-handler.ts';
import { WorkerMetrics } from './jobs/metrics.ts';
import { photoLimits } from './photos/ingest.ts';
import type { PhotoStore } from './photos/store.ts';
import { foundSide, missingSide } from './records/sides.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { candidateRoutes } from './routes/candidates.ts';
import { healthRoutes } from './routes/health.ts';
import { photoRoutes } from './routes/photos.ts';
import { driveRoutes } from './routes/drives.ts';
import { recordRoutes } from './routes/records.ts';
import { webApp } from './web/serve.ts';
import { reportRoutes } from './routes/reports.ts';
import { restorationRoutes } from './routes/restorations.ts';

export interface AppDependencies {
  config: Pick<Config, 'BODY_LIMIT_BYTES' | 'SECURE_COOKIES'>;
  pool: pg.Pool;
  boss: PgBoss;
  photoStore: PhotoStore;
  /** The process's pino logger; none in tests. */
  logger?: FastifyBaseLogger;
  /** The worker's counters, when this process runs one. */
  metrics?: WorkerMetrics;
}

export async function buildApp(deps: AppDependencies) {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'milap', description: 'Missing-child tracking and matching', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'milap_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // Security headers on every answer; no CORS plugin, so other origins get no access (closed by default).
  // Security headers (helmet), built once: @fastify/helmet rebuilds its middleware on every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"], imgSrc: ["'self'", 'blob:', 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], scriptSrc: ["'self'"],
        connectSrc: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"],
      },
    },
    strictTransportSecurity: deps.config.SECURE_COOKIES === 'on',
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  await app.register(authentication, { pool: deps.pool });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(multipart, { limits: { fileSize: photoLimits.maxBytes, files: 1, fields: 5, parts: 6, headerPairs: 100 } });

  const context = { pool: deps.pool, boss: deps.boss };
  const photos = { ...context, store: deps.photoStore };
  await app.register(healthRoutes(deps.pool, deps.boss, deps.metrics ?? new WorkerMetrics()));
  await app.register(authRoutes(deps.pool, { secureCookies: deps.config.SECURE_COOKIES === 'on' }), { prefix: '/api/v1/auth' });
  await app.register(adminRoutes(deps.pool), { prefix: '/api/v1' });
  for (const [side, prefix] of [[missingSide, '/api/v1/missing-reports'], [foundSide, '/api/v1/found-children']] as const) {
    await app.register(recordRoutes(side, context), { prefix });
    await app.register(photoRoutes(side, photos), { prefix });
  }
  await app.register(candidateRoutes(deps.pool, deps.boss, deps.photoStore), { prefix: '/api/v1/candidates' });
  await app.register(duplicateRoutes(deps.pool, deps.boss), { prefix: '/api/v1/duplicates' });
  await app.register(reportRoutes(deps.pool), { prefix: '/api/v1' });
  await app.register(driveRoutes(deps.pool), { prefix: '/api/v1/drives' });
  await app.register(restorationRoutes(deps.pool, deps.boss, deps.photoStore), { prefix: '/api/v1/restorations' });
  await app.register(webApp);
  return app;
}
