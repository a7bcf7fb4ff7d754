// The process: configuration, database, migrations, queue, worker, HTTP; and a graceful end on
// SIGTERM/SIGINT where in-flight requests and jobs finish before the database closes.
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { photoDirOf, type Config } from './config.ts';
import { DirectoryPhotoStore } from './photos/store.ts';
import { createSetupToken } from './access/credentials.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { WorkerMetrics } from './jobs/metrics.ts';
import { startWorkers } from './jobs/workers.ts';
import { startQueue } from './jobs/queue.ts';
import { loggerOptions } from './logger.ts';

export async function startServer(config: Config): Promise<void> {
  const logger = pino(loggerOptions(config));
  const database = await openDatabase(config);
  const applied = await migrate(database.pool);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const setupToken = await createSetupToken(database.pool);
  if (setupToken) {
    // Printed once, to the console only (never to the log): it creates the first admin.
    process.stdout.write(
      `\nmilap has no users yet. Create the first admin with this one-time set-up token (shown only now):\n\n  ${setupToken}\n\n` +
        `POST /api/v1/auth/setup with {"setupToken", "username", "displayName", "role": "admin", "scope": "national", "password"},\n` +
        `or run \`npx milap users add --role admin --scope national ...\`.\n\n`,
    );
  }
  const boss = await startQueue(database, { supervise: true });
  const metrics = new WorkerMetrics();
  if (config.WORKER === 'on') {
    await startWorkers(boss, database, logger, metrics, { concurrency: config.WORKER_CONCURRENCY, floor: config.MATCH_FLOOR, topK: config.MATCH_TOP_K, cacheRecords: config.MATCH_CACHE_RECORDS, keysInMemory: config.MATCH_KEYS_IN_MEMORY === 'on', keyRows: config.MATCH_KEY_ROWS === 'on', readBack: config.MATCH_READ_BACK === 'on', sweepConnections: config.MATCH_SWEEP_CONNECTIONS });
  }
  const photoStore = new DirectoryPhotoStore(photoDirOf(config));
  const app = await buildApp({ config, pool: database.pool, boss, logger, metrics, photoStore });

  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an error');
    else logger.info({ signal }, 'stopping: finishing in-flight requests and jobs');
    await app.close();
    await boss.stop({ graceful: true, timeout: config.SHUTDOWN_GRACE_MS, close: false });
    await database.close();
    logger.info('stopped');
  });

  await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ database: database.kind, docs: '/docs' }, 'milap is serving');
}
