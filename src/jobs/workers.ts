// The background workers of this process: the `match` queue, handled by the match job.
import type { Logger } from 'pino';
import type { PgBoss } from 'pg-boss';
import type { Database } from '../db/database.ts';
import { createEngine } from '../matching/engine.ts';
import { matchRecord, type MatchSettings } from '../matching/match-job.ts';
import type { WorkerMetrics } from './metrics.ts';
import { matchQueue, type MatchJob } from './queue.ts';

export interface WorkerOptions extends MatchSettings {
  concurrency: number;
}

export async function startWorkers(boss: PgBoss, database: Database, logger: Logger, metrics: WorkerMetrics, options: WorkerOptions): Promise<void> {
  const engine = createEngine();
  // One PGlite connection can't run jobs side by side; a server can.
  const localConcurrency = database.kind === 'pglite' ? 1 : options.concurrency;
  await boss.work<MatchJob>(matchQueue, { localConcurrency, batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    if (!job) return;
    const started = performance.now();
    try {
      const result = await matchRecord(database.pool, engine, options, job.data);
      metrics.record(performance.now() - started, true);
      logger.debug({ job: job.id, side: job.data.side, id: job.data.id, ...result }, 'matched');
    } catch (error) {
      metrics.record(performance.now() - started, false);
      logger.warn({ job: job.id, side: job.data.side, id: job.data.id, err: error }, 'match job failed; it will be retried');
      throw error;
    }
  });
}
