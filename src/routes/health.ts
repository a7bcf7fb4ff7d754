// /health says the process is alive; /ready says it can do its work (database and queue reachable,
// how many match jobs wait or died, and the model it matches with); /metrics gives the same in
// Prometheus text.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { WorkerMetrics } from '../jobs/metrics.ts';
import { matchDeadLetterQueue, matchQueue } from '../jobs/queue.ts';
import { defaultModel } from '../../matchers/model.ts';

async function check(what: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  try {
    await Promise.race([what(), timeout]);
    return 'ok';
  } catch (error) {
    return `unavailable: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(pool: pg.Pool, boss: PgBoss, metrics: WorkerMetrics): FastifyPluginAsyncZod {
  async function queueDepths() {
    const [match, dead, due] = await Promise.all([
      boss.getQueue(matchQueue),
      boss.getQueue(matchDeadLetterQueue),
      pool.query<{ n: number; every: number }>('SELECT (SELECT count(*) FROM pair_reweigh_due)::int AS n, (SELECT count(*) FROM pair_reweigh_every)::int AS every'),
    ]);
    if (!match) throw new Error(`queue ${matchQueue} is missing`);
    // Marks of records a re-match moved whose pairs' competing probabilities wait to be weighed again
    // (workers.ts, reweighSweeper): one for each job that moved a record's pairs (migrations/024), so
    // several for a record many jobs paired (4.6 a record in a re-match at 100,000 x 30,000). Counted
    // as records, 6,000,000 marks of 1,300,000 records took 6 s, past the two seconds /ready allows; as
    // marks, 0.3-0.4 s. A re-match of most records marks none, but says with each chunk of jobs it
    // queues that every pair is due (migrations/025): `reweighEveryMarks` counts those chunks.
    return { queued: match.queuedCount ?? 0, active: match.activeCount ?? 0, deadLettered: dead?.queuedCount ?? 0, reweighMarks: due.rows[0]!.n, reweighEveryMarks: due.rows[0]!.every };
  }

  return async (app) => {
    app.get('/health', { config: { public: true }, schema: { tags: ['operations'], summary: 'the process is alive' } }, async () => ({ status: 'ok' }));

    app.get('/ready', { config: { public: true }, schema: { tags: ['operations'], summary: 'the database and the queue are reachable' } }, async (_request, reply) => {
      const database = await check(() => pool.query('SELECT 1'));
      let depths: Awaited<ReturnType<typeof queueDepths>> | null = null;
      const queue = await check(async () => {
        depths = await queueDepths();
      });
      const ready = database === 'ok' && queue === 'ok';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, queue, matchJobs: depths, modelVersion: defaultModel.version });
    });

    app.get('/metrics', { schema: { tags: ['operations'], summary: 'queue depth, failures, match latency, records held prepared and records whose keys are held in memory (Prometheus text)' } }, async (_request, reply) => {
      const depths = await queueDepths();
      const lines = [
        ['milap_match_jobs_queued', depths.queued],
        ['milap_match_jobs_active', depths.active],
        ['milap_match_jobs_dead_lettered', depths.deadLettered],
        ['milap_match_reweigh_marks', depths.reweighMarks],
        ['milap_match_reweigh_every_marks', depths.reweighEveryMarks],
        ['milap_match_jobs_processed_total', metrics.processed],
        ['milap_match_jobs_failed_total', metrics.failed],
        ...[50, 95, 99].map((p) => [`milap_match_latency_ms{quantile="0.${p}"}`, metrics.percentile(p) ?? 'NaN']),
        // Against the records still looked for: fewer means jobs read and prepare partners themselves (MATCH_CACHE_RECORDS).
        ['milap_match_prepared_records', metrics.preparedRecords],
        // Records whose keys the worker holds in memory, where its jobs search (0: still reading them, jobs search the database).
        ['milap_match_keys_in_memory_records', metrics.keysInMemory],
      ];
      return reply.type('text/plain; version=0.0.4').send(`${lines.map(([name, value]) => `${name} ${value}`).join('\n')}\n`);
    });
  };
}
