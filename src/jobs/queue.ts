// pg-boss on the same database and the same pool as the records. On PGlite that pool is one
// connection, so pg-boss's statements queue behind a transaction instead of landing inside it.
import { PgBoss } from 'pg-boss';
import type pg from 'pg';
import type { Database } from '../db/database.ts';

export const matchQueue = 'match';
export const matchDeadLetterQueue = 'match-dead-letter';

/** One record to match: which record changed, and to which version. */
export interface MatchJob {
  side: 'missing' | 'found';
  id: string;
  version: number;
}

/**
 * What a `match` job carries: one record (every write but a grouped filing), or the records of one
 * side filed together in one transaction. A queued job costs the database more than the record
 * it is for (pg-boss's insert and its indexes), so a group of filings queues one job per
 * `recordsPerJob` records instead of one each.
 */
export type MatchJobData = MatchJob | { side: MatchJob['side']; records: { id: string; version: number }[]; reweighLater?: WeighLater };

/**
 * How a re-match's job leaves the competing probabilities it moves (match-job.ts, Reweigh): `true`,
 * marking the records whose pairs moved, to be weighed once the run's jobs are done; `'every'`,
 * marking nothing, in a run that weighs every pair then (migrations/025).
 */
export type WeighLater = true | 'every';

/** Most records one job carries: a burst of filings still spreads over several workers. */
export const recordsPerJob = 8;

/** SQL: a row for each record of each match job (job_id, state, side, record_id, version), for counts and checks. */
export const matchJobRecordsSql = `SELECT j.id AS job_id, j.state, j.data->>'side' AS side, (r->>'id')::uuid AS record_id, (r->>'version')::int AS version
  FROM pgboss.job j CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN j.data ? 'records' THEN j.data->'records' ELSE jsonb_build_array(j.data) END) AS r
 WHERE j.name = 'match'`;

/**
 * Jobs for records of one side, `recordsPerJob` records to a job, in the order given. A re-match's
 * jobs weigh the competing probabilities later (`reweighLater`: WeighLater).
 */
export function groupedMatchJobs(side: MatchJob['side'], records: readonly { id: string; version: number }[], options: { reweighLater?: WeighLater } = {}): MatchJobData[] {
  const jobs: MatchJobData[] = [];
  for (let i = 0; i < records.length; i += recordsPerJob) {
    const group = records.slice(i, i + recordsPerJob).map(({ id, version }) => ({ id, version }));
    jobs.push(options.reweighLater ? { side, records: group, reweighLater: options.reweighLater } : { side, records: group });
  }
  return jobs;
}

/** How a job's records are weighed later (groupedMatchJobs), or null if at once. */
export const reweighsLater = (data: MatchJobData): WeighLater | null => ('reweighLater' in data && (data.reweighLater === true || data.reweighLater === 'every') ? data.reweighLater : null);

/**
 * Whether match jobs that weigh later (a re-match's) wait or run, but those named (a worker's own,
 * which it has done with but pg-boss has not yet marked done).
 */
export async function reweighingJobsPending(db: pg.Pool | pg.PoolClient, except: readonly string[] = []): Promise<boolean> {
  const { rows } = await db.query<{ pending: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active') AND data ? 'reweighLater' AND NOT (id = ANY($2::uuid[]))) AS pending`,
    [matchQueue, except],
  );
  return rows[0]!.pending;
}

/** The records a job is for, in the order they were filed. */
export function recordsOfJob(data: MatchJobData): MatchJob[] {
  return 'records' in data ? data.records.map(({ id, version }) => ({ side: data.side, id, version })) : [data];
}

/** A pg-boss statement runner on one client: pass it as `db` to send inside the caller's transaction. */
/** pg-boss's database adapter shape (its `db` option). */
interface IDatabase {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export function onClient(client: pg.PoolClient): IDatabase {
  return { executeSql: (text, values) => client.query(text, values) };
}

function onPool(pool: pg.Pool): IDatabase {
  return {
    async executeSql(text, values) {
      const client = await pool.connect();
      try {
        return await client.query(text, values);
      } catch (error) {
        // A failed multi-statement block (BEGIN ... COMMIT) can leave the session in an aborted
        // transaction; end it before the connection goes back to the pool.
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

export async function startQueue(database: Database, options: { supervise: boolean }): Promise<PgBoss> {
  const boss = new PgBoss({
    db: onPool(database.pool),
    backend: database.kind === 'pglite' ? 'pglite' : 'postgres',
    supervise: options.supervise,
    // Every 15 s (not pg-boss's 60) the supervisor fails and retries jobs whose worker stopped
    // beating: a worker killed mid-batch holds up its records for seconds, not minutes.
    superviseIntervalSeconds: 15,
    monitorIntervalSeconds: 15,
    schedule: false,
  });
  boss.on('error', () => {}); // surfaced through /ready and the job states, not as an unhandled event
  await boss.start();
  await boss.createQueue(matchDeadLetterQueue).catch(ignoreExisting);
  const settings = {
    deadLetter: matchDeadLetterQueue,
    retryLimit: 5,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 300,
    // A job whose worker died (its heartbeat, sent every 5 s while it runs, stops) is retried after
    // 10 s; one whose worker lives but hangs is failed after 300 s.
    heartbeatSeconds: 10,
    expireInSeconds: 300,
  };
  await boss.createQueue(matchQueue, settings).catch(ignoreExisting);
  await boss.updateQueue(matchQueue, settings); // a queue made by an earlier release takes today's settings
  return boss;
}

function ignoreExisting(error: unknown): void {
  if (!/already exists/i.test(String((error as Error)?.message))) throw error;
}

/** Queues the record's match job on the caller's transaction: the row and its job commit together. */
export async function sendMatchJob(boss: PgBoss, client: pg.PoolClient, job: MatchJob): Promise<void> {
  await boss.send(matchQueue, job, { db: onClient(client) });
}

/**
 * The statement pg-boss runs to queue this job (its own SQL, whatever its version), captured
 * without running it, for a caller that sends it with other statements in one round trip.
 */
export async function matchJobStatement(boss: PgBoss, job: MatchJob): Promise<{ text: string; values: unknown[] }> {
  let captured: { text: string; values: unknown[] } | null = null;
  const capture: IDatabase = {
    executeSql(text, values = []) {
      captured = { text, values };
      return Promise.resolve({ rows: [{ id: null }] });
    },
  };
  await boss.send(matchQueue, job, { db: capture });
  if (!captured) throw new Error('pg-boss queued the match job without a statement');
  return captured;
}

/**
 * The one statement pg-boss runs to queue the match jobs of records of one side filed together
 * (its bulk insert, the same insert plan as send's), captured without running it: one job for each
 * `recordsPerJob` of them.
 */
export async function matchJobsStatement(boss: PgBoss, records: MatchJob[]): Promise<{ text: string; values: unknown[] }> {
  const side = records[0]?.side;
  if (!side || records.some((record) => record.side !== side)) throw new Error('a grouped match job is for records of one side');
  const jobs = groupedMatchJobs(side, records);
  let captured: { text: string; values: unknown[] } | null = null;
  const capture: IDatabase = {
    executeSql(text, values = []) {
      captured = { text, values };
      return Promise.resolve({ rows: [] });
    },
  };
  await boss.insert(matchQueue, jobs.map((data) => ({ data })), { db: capture });
  if (!captured) throw new Error('pg-boss queued the match jobs without a statement');
  return captured;
}
