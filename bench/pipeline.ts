// The background matching at scale, on the local PostgreSQL server:
//   1. load N missing and M found synthetic records with COPY (records, match subjects and keys), and candidate pairs;
//   2. a single record's match job latency, p50 and p95, and the five slowest with the time Node spent collecting garbage in each;
//   3. sustained records per second from an API write to stored candidates, workers running;
//   4. a full re-match, timed on a sample of both sides' records and extrapolated to every record, the
//      competing probabilities weighed after, as a re-match's jobs leave them (with --rematch-all or --full-sweep, every pair's);
//   5. database size and worker memory (every record still looked for held prepared, and every record's keys, as a worker does when it starts).
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres [MATCH_KEYS_IN_MEMORY=on] npx tsx bench/pipeline.ts [--missing 1000000 --found 300000]
//     [--full-sweep]: after the re-match, one sweep of every pair timed, as a full re-match ends
//     (migrations/025; minutes at national scale);
//     [--writers N]: records filed N at once in the sustained phase (8);
//     [--steady N]: after the sustained phase's first burst (five times the sample), N more found children
//     filed and timed apart (ten times the first burst unless given; 0: none): the first burst follows the
//     worker processes' start, and at national scale its CPU a record was half as much again as in
//     the bursts after (bench/FIGURES.md, 2026-12-06, from 15:38);
//     [--rematch-all]: the re-match of every record, reports first, then children, each side in id order,
//     as `milap rematch --all` queues them, timed whole and not extrapolated (each pair is scored once,
//     from its child's job, the reports' jobs scoring none, and with MATCH_KEYS_IN_MEMORY=on each
//     possible duplicate once, from one of its records: a sample's jobs score theirs all); it prints
//     how many pair rows the matching inserted and updated. On a fresh load
//     it meets the load's pairs, whose partners are drawn at random (load, below): it deletes most of
//     them and inserts the records' true candidates, each with its explanation, where a deployment's
//     re-match updates the pairs it holds. For that re-match, run `--reuse --rematch-all` (without
//     `--new-model`) on a database a `--rematch-all --new-model` run kept: its records were matched by
//     the model trained since, and the model the service ships re-matches them, every pair written anew
//     (at 100,000 x 30,000 the database's CPU a fifth less, the re-match's time within the runs' spread:
//     bench/FIGURES.md, 2026-12-05, from 19:19);
//     [--new-model]: the re-match by a model trained since (every level's weight moved), as
//     `milap rematch` runs after a new model version: every pair it rescores, and its explanation,
//     is written anew, and every pair moved is weighed again (without it, the re-match's model is the
//     one its records were matched by, and their explanations stand);
//     MATCH_KEY_ROWS=off (with MATCH_KEYS_IN_MEMORY=on): no key rows, the load's and jobs' keys kept on
//     the subject rows instead (src/matching/key-rows.ts), as a deployment that sets it keeps them (a
//     database loaded so and reused without it has every key row written at the workers' start);
//     MATCH_READ_BACK=off: a worker that does not read back the pages match jobs read at random after
//     its start (src/matching/read-back.ts), which the start's reading of every record pushed out;
//     [--worker-processes N]: phases 3 and 4 by N match-worker processes of their own (pipeline-workers.ts),
//     as a deployment runs them beside the API, the re-match through queued jobs as `milap rematch`
//     queues them; without it, by workers in this process, and the re-match by calling the job directly;
//     [--profile DIR]: this process's CPU profile of phases 2, 3 (its steady burst apart) and 4 each
//     (probes.cpuprofile, sustained.cpuprofile, steady.cpuprofile and rematch.cpuprofile, for Chrome's
//     DevTools), and the functions that took the most of it printed; with --worker-processes, each
//     worker process's of phase 3 too (sustained-worker-N.cpuprofile and steady-worker-N.cpuprofile,
//     printed on stderr) (run by `node bench/pipeline.ts`, which strips the types itself, for their
//     true line numbers: tsx's transform gives every function line 1);
//     [--statements N]: the steady burst begun after a checkpoint (its whole pages written by every run
//     alike) and pg_stat_statements reset, and its N statements of most time printed after it (calls,
//     plans, execution and planning ms, rows, buffers touched and read from outside the shared
//     buffers), with all statements' totals: for a server that loads the module
//     (shared_preload_libraries = 'pg_stat_statements'; track_planning on for the planning time);
//     [--stop-after-steady]: the run ends after the steady burst (runs taking turns on a reused database).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { pino } from 'pino';
import { generateWorld } from '../fixtures/synth/world.ts';
import { pipelineNewModel } from '../fixtures/synth/retrained.ts';
import type { FoundChild } from '../matchers/record.ts';
import { blockingKeys, keyTooCommon, storedWhenClosed } from '../matchers/blocking.ts';
import { isoOfDay } from '../matchers/age.ts';
import { prepareFound, prepareMissing } from '../matchers/prepare.ts';
import { scorePair } from '../matchers/link.ts';
import { matcherVersion } from '../matchers/version.ts';
import { openDatabase, withTransaction } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { groupedMatchJobs, matchQueue, onClient, startQueue } from '../src/jobs/queue.ts';
import { reweighLock, startWorkers, StatisticsKeeper } from '../src/jobs/workers.ts';
import { WorkerMetrics } from '../src/jobs/metrics.ts';
import { createEngine } from '../src/matching/engine.ts';
import { matchRecord, matchRecords, warmKeyCounts } from '../src/matching/match-job.ts';
import * as records from '../src/records/service.ts';
import { foundSide, missingSide, type SideDefinition } from '../src/records/sides.ts';
import { resolveRecordPlaces } from '../src/records/places.ts';
import { keysDigestOf, reweighDue, reweighEveryPair, storedExplanationOf, storedKeys } from '../src/matching/store.ts';
import { liveKeysOf } from '../src/matching/live-keys.ts';
import { warmPreparedRecords } from '../src/matching/warm.ts';
import { loadConfig } from '../src/config.ts';
import { readBackMatchPages } from '../src/matching/read-back.ts';
import { collectGarbage } from '../src/matching/collect.ts';
import { admin, copyRows, databaseUrl, dropIndexes, restoreIndexes } from './db.ts';
import { profiled } from './profile.ts';

const { values } = parseArgs({ options: { missing: { type: 'string', default: '1000000' }, found: { type: 'string', default: '300000' }, sample: { type: 'string', default: '300' }, 'worker-processes': { type: 'string', default: '0' }, reuse: { type: 'boolean', default: false }, seed: { type: 'string', default: '0' }, 'full-sweep': { type: 'boolean', default: false }, profile: { type: 'string' }, writers: { type: 'string', default: '8' }, steady: { type: 'string' }, 'new-model': { type: 'boolean', default: false }, 'rematch-all': { type: 'boolean', default: false }, statements: { type: 'string' }, 'stop-after-steady': { type: 'boolean', default: false } } });
// --reuse: the phases after the load, on the database a run before kept (PIPELINE_KEEP=1, PIPELINE_DB
// naming it), kept again: a national load took 19 minutes on the development machine (22 to 61 before
// COPY sent many rows to a message: bench/db.ts, copyRows), and its candidate pairs add about 4 more.
const reuse = values.reuse;
// --seed N: a run on a reused database files children of other seeds (the probes' and the sustained
// phase's, each plus N) than the run before: the same children again were twins of that run's, which
// each one's duplicate search found and scored.
const filingSeed = Number(values.seed);
const workerProcesses = Number(values['worker-processes']);
// --writers N: how many file records at once in the sustained phase, each filing after its last, as
// that many clients of the API would.
const writers = Number(values.writers);
// --new-model: the re-match by a model trained since, whose every level's u is a tenth lower (each level
// 0.15 bits more in favour of a match), on the records the worker prepared (engine.ts, withModel); the
// worker processes are told to start their workers again by it (pipeline-workers.ts) before the re-match.
const newModel = values['new-model'];
const rematchAll = values['rematch-all'];
// --statements N: the steady burst's N statements of most time (0: none).
const statements = values.statements === undefined ? 0 : Number(values.statements);
const [missingCount, foundCount, sample] = [Number(values.missing), Number(values.found), Number(values.sample)];
const dbName = process.env.PIPELINE_DB ?? 'milap_bench_pipeline';
const dbUrl = databaseUrl(dbName);
const seconds = (started: number) => (performance.now() - started) / 1000;
/** Refs of the records this run files, its own: a reused database holds the last run's. */
const run = Date.now().toString(36);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
if (!reuse) {
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${dbName}`);
}
const database = await openDatabase({ DATABASE_URL: dbUrl, MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 10 });
await migrate(database.pool);
const boss = await startQueue(database, { supervise: false });
if (statements) {
  // Asked before the load, not after it: the module is loaded by the server's start or not at all.
  const { rows } = await database.pool.query<{ loaded: string }>("SELECT current_setting('shared_preload_libraries') AS loaded");
  if (!rows[0]!.loaded.split(',').some((library) => library.trim() === 'pg_stat_statements')) {
    throw new Error("--statements needs the server to load pg_stat_statements: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', then restart it");
  }
}
// A cache of prepared records holding all of them, as a national deployment sets MATCH_CACHE_RECORDS.
const cacheRecords = 2 * (missingCount + foundCount) + 100_000;
/** MATCH_KEY_ROWS as a deployment sets it (config.ts): off, no key rows are loaded or written. */
const keyRows = loadConfig().MATCH_KEY_ROWS === 'on';
const engine = createEngine(undefined, cacheRecords);

let started = performance.now();
if (reuse) {
  const { rows } = await database.pool.query<{ side: string; n: number }>(`SELECT side, count(*)::int AS n FROM match_subject GROUP BY side ORDER BY side`);
  console.log(`reusing ${dbName}: ${rows.map((row) => `${row.n} ${row.side}`).join(' and ')} matched before`);
} else {
  await load();
}

/**
 * The synthetic world loaded with COPY, then vacuumed. In a function of its own: a worker holds no
 * generated world, and at a million records it is gigabytes of heap, let go when the function returns
 * (a block of the module's own may keep its variables alive, as startAndProbe says).
 */
async function load() {
  const worldSeed = 5;
  const world = generateWorld({ missing: missingCount, found: foundCount, seed: worldSeed });
  console.log(`generated ${missingCount} missing and ${foundCount} found in ${seconds(started).toFixed(1)} s`);
  started = performance.now();
  // The key table's indexes are built after its rows are in: at a million reports (about 75 million
  // key rows) one sorted build of each index instead of 75 million insertions into each during the load.
  const keyIndexes = await dropIndexes(database.pool, 'match_key');
  // The keys too common to admit a pair, closed for good as a worker closes them (src/matching/store.ts,
  // warmTooCommonKeys): counted over every report first, so that no record's row for one is written
  // but for the name keys, as a match job writes none once it is closed.
  const carriers = new Map<string, number>();
  for (const report of world.missing) for (const key of blockingKeys(prepareMissing(report))) carriers.set(key, (carriers.get(key) ?? 0) + 1);
  const closed = new Set([...carriers].filter(([key, n]) => keyTooCommon(key, n)).map(([key]) => key));
  carriers.clear();
  await copyRows(database.pool, 'COPY match_closed_key (key) FROM STDIN', [...closed].map((key) => [key]));
  console.log(`${closed.size} keys too common to admit a pair closed in ${seconds(started).toFixed(1)} s`);
  for (const [side, list] of [[missingSide, world.missing], [foundSide, world.found]] as [SideDefinition, typeof world.missing | typeof world.found][]) {
    const ids = list.map(() => randomUUID());
    // Rows are made as COPY reads them, never all at once: a million records' keys held in memory
    // took this process past its heap.
    await copyRows(database.pool, `COPY ${side.table} (id, filing_unit, ref, status, record, places, state_code, district_id, event_date, created_by, updated_by) FROM STDIN`,
      (function* () {
        for (const [i, record] of list.entries()) {
          const places = resolveRecordPlaces(side, record);
          yield [ids[i], side.filingUnit(record), record.ref, side.initialStatus, JSON.stringify(record), JSON.stringify(places.places), places.stateCode, places.districtId, side.eventDate(record), 'bench', 'bench'];
        }
      })());
    const subjects: unknown[][] = [];
    await copyRows(database.pool, 'COPY match_key (side, key, record_id, born_from, born_to, active, event_day) FROM STDIN',
      (function* () {
        // Without key rows (MATCH_KEY_ROWS=off), each record's keys go on its subject row, as its job keeps them.
        for (const [i, record] of list.entries()) {
          const p = side.side === 'missing' ? prepareMissing(record as never) : prepareFound(record as never);
          const [from, to] = p.birth ? [isoOfDay(p.birth.from), isoOfDay(p.birth.to)] : [null, null];
          const keys = blockingKeys(p);
          // The digest of what its key rows hold, as a match job saves it (a re-match then writes no key).
          const digest = keysDigestOf({ keys, active: true, narrowing: { sex: p.sex, bornFrom: from, bornTo: to, eventDay: isoOfDay(p.eventDay) } });
          const stored = storedKeys(keys, (key) => !closed.has(key) || storedWhenClosed(key));
          subjects.push([side.side, ids[i], 1, p.sex, from, to, 't', engine.modelVersion, digest, matcherVersion, keyRows ? null : `{${stored.map((key) => `"${key.replace(/["\\]/g, '\\$&')}"`).join(',')}}`, keyRows ? null : isoOfDay(p.eventDay)]);
          if (keyRows) for (const key of stored) yield [side.side, key, ids[i], from, to, 't', isoOfDay(p.eventDay)];
        }
      })());
    await copyRows(database.pool, 'COPY match_subject (side, record_id, version, sex, born_from, born_to, active, model_version, keys_digest, matcher_version, keys, event_day) FROM STDIN', subjects);
    if (side.side === 'found') {
      // Each found child's rank floor, as her own match job would save it (matchers/blocking.ts,
      // rankedBestOf), computed by a process of its own from the same world: its index of every report
      // (gigabytes at national scale) is then not in this process's memory, which is the workers'.
      const floors = JSON.parse(execFileSync(process.execPath, [...process.execArgv, '--max-old-space-size=8192', fileURLToPath(new URL('./pipeline-floors.ts', import.meta.url)), String(missingCount), String(foundCount), String(worldSeed)],
        { maxBuffer: 2 ** 30, encoding: 'utf8' })) as number[];
      await copyRows(database.pool, 'COPY match_rank_floor (record_id, floor) FROM STDIN', floors.map((floor, i) => [ids[i], floor]));
    }
  }
  await restoreIndexes(database.pool, keyIndexes);
  console.log(`loaded with COPY (records, subjects, keys, rank floors) in ${seconds(started).toFixed(1)} s`);
  // Candidate pairs, as a deployment that has matched every record holds them: without them, each
  // statement that reads or weighs pairs again (a job's own, the probabilities refreshed after it)
  // met an empty table. Two for each report and two for each child (a national re-match kept 2.2 a
  // report it matched, and about two a child), weighed at random between -10 and 5 bits, each with the
  // explanation of a scored pair of the world. The partners are drawn at random: what those statements
  // cost is how many pairs each record has and how large the table is, not who the partners are;
  // partners drawn from the records sharing a key piled hundreds of pairs on the first reports of each
  // key's index, a thousand at most, where a report keeps ten. Not so for a full re-match: it finds
  // that most of these partners are no candidates, and replaces them (the opening comment, --rematch-all).
  started = performance.now();
  const { explanation } = scorePair(prepareMissing(world.missing[0]!), prepareFound(world.found[0]!));
  let rowCount = 0;
  for (const [side, other] of [['missing', 'found'], ['found', 'missing']] as const) {
    const stored = await database.pool.query(
      `WITH others AS MATERIALIZED (SELECT record_id AS id, row_number() OVER () AS n FROM match_subject WHERE side = '${other}'),
            picks AS MATERIALIZED (
              SELECT s.record_id AS id, 1 + floor(random() * (SELECT count(*) FROM others))::bigint AS pick, round((random() * 15 - 10)::numeric, 3)::float8 AS weight
                FROM match_subject s CROSS JOIN generate_series(1, 2) WHERE s.side = '${side}')
       INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
       SELECT ${side === 'missing' ? 'p.id, o.id' : 'o.id, p.id'}, 1 / (1 + 2 ^ -p.weight), 1 / (1 + 2 ^ -p.weight), p.weight, $1, 1, 1
         FROM picks p JOIN others o ON o.n = p.pick
       ON CONFLICT (missing_id, found_id) DO NOTHING`,
      [engine.modelVersion],
    );
    rowCount += stored.rowCount ?? 0;
  }
  // Each pair's explanation, in its table (migrations/022), as a match stores it (migrations/027).
  await database.pool.query('INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, $1::json FROM candidate_pair ORDER BY id', [storedExplanationOf(explanation)]);
  console.log(`${rowCount} candidate pairs stored in ${seconds(started).toFixed(1)} s`);
  // What autovacuum does after a load (the visibility map lets a key's count read its index alone; on
  // a server with autovacuum off, the workers' statistics keeper does it after their first jobs).
  started = performance.now();
  await database.pool.query('VACUUM (ANALYZE)');
  console.log(`vacuumed and analyzed in ${seconds(started).toFixed(1)} s`);
}
// What a worker does next when it starts: prepare every record still looked for (src/matching/warm.ts)
// and hold every record's keys in memory (src/matching/live-keys.ts), where its jobs then search.
// MATCH_KEYS_IN_MEMORY=on as a deployment sets it (config.ts): the keys too, and jobs search them.
const keysInMemory = process.env.MATCH_KEYS_IN_MEMORY === 'on';
const heapMb = () => `${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB of heap in use (its limit ${(getHeapStatistics().heap_size_limit / 1e6).toFixed(0)} MB)`;
/**
 * Phases 1 and 2. With worker processes, on a pool and an engine of their own, made and let go in
 * here (a function's, whose frame ends: a block of the module's own kept them, held by the suspended
 * module): at national scale they hold what a worker holds, gigabytes, a third copy beside two workers'.
 */
async function startAndProbe() {
  const local = workerProcesses > 0
    ? { database: await openDatabase({ DATABASE_URL: dbUrl, MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 10 }), engine: createEngine(undefined, cacheRecords) }
    : { database, engine };
  // What a worker does when it starts: read the counts of the common name keys, and the keys too common to admit a pair.
  started = performance.now();
  const commonKeys = await warmKeyCounts(local.database.pool, 0, keyRows);
  if (commonKeys) console.log(`counts of ${commonKeys.nameKeys} common name keys and ${commonKeys.tooCommon} keys too common to admit a pair read in ${seconds(started).toFixed(1)} s (as a worker does at start)`);
  started = performance.now();
  const prepared = keysInMemory ? (await liveKeysOf(local.database.pool).build(local.database.pool, local.engine))! : { ...(await warmPreparedRecords(local.database.pool, local.engine)), keys: null };
  console.log(`${prepared.records} records still looked for prepared${prepared.keys === null ? '' : `, and the ${prepared.keys} keys of every record held in memory`}, in ${seconds(started).toFixed(1)} s (of which ${(prepared.collectedInMs / 1000).toFixed(1)} s the full collection of the garbage left)${prepared.stoppedBy ? `; preparing stopped by the ${prepared.stoppedBy}` : ''} (as a worker does at start; this process's memory then ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB RSS, ${heapMb()})`);

  if (keysInMemory) {
    // And every half hour after, its keys now in memory, the keys too common counted there (match-job.ts, warmKeyCounts).
    started = performance.now();
    const recount = await warmKeyCounts(local.database.pool);
    console.log(`keys too common to admit a pair counted again in ${seconds(started).toFixed(2)} s, in the ${recount!.countedIn} (as a worker does every half hour once its keys are in memory)`);
  }

  if (process.env.MATCH_READ_BACK !== 'off') {
    // Then, as a worker does after its start (workers.ts; src/matching/read-back.ts), the pages match
    // jobs read at random read back into the server's page cache, which the start's reading of every
    // record pushed out where that cache cannot hold the whole database (8-10.5 GB of a 12 GB national
    // one on the development machine). A worker goes on with jobs meanwhile; here it is waited for.
    const readBack = await readBackMatchPages(local.database, { keyRows });
    console.log(readBack.read
      ? `read back into the page cache after the start: ${readBack.megabytes} MB (${keyRows ? "the key and explanation tables' indexes" : "the explanation table's index"}; the pair, subject, rank-floor and due tables with theirs) in ${readBack.seconds.toFixed(1)} s (as a worker does; MATCH_READ_BACK=off for a worker that does not)`
      : `not read back after the start: ${readBack.reason}`);
  }

  // 2. Single-record latency: new found children matched one at a time against everything loaded.
  const probes = generateWorld({ missing: 10, found: sample, seed: 99 + filingSeed }).found.map((child, i) => ({ ...child, ref: `PROBE-${run}-${i}` }));
  // Each job's span, and Node's garbage collections meanwhile: what of its slowest jobs was spent collecting.
  const spans: { from: number; to: number }[] = [];
  const collections: { from: number; to: number; major: boolean }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind ?? 0;
      collections.push({ from: entry.startTime, to: entry.startTime + entry.duration, major: kind === constants.NODE_PERFORMANCE_GC_MAJOR });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  await profiled(values.profile, 'probes', async () => {
    for (const child of probes) {
      // Filed through this process's own pool: the queue's filing batcher holds the pool it files through.
      const answer = await records.fileRecord({ pool: database.pool, boss }, foundSide, child, { actorId: null, actorName: 'bench', requestId: null });
      const { id, version } = answer.body as { id: string; version: number };
      const from = performance.now();
      await matchRecord(local.database.pool, local.engine, { floor: 0.001, topK: 10, keyRows }, { side: 'found', id, version });
      spans.push({ from, to: performance.now() });
    }
  });
  await new Promise((resolve) => setImmediate(resolve)); // the observer's last entries delivered
  observer.disconnect();
  const latencies = spans.map((span) => span.to - span.from);
  const collecting = (span: { from: number; to: number }, major: boolean) =>
    collections.filter((gc) => gc.major === major).reduce((sum, gc) => sum + Math.max(0, Math.min(span.to, gc.to) - Math.max(span.from, gc.from)), 0);
  const slowest = spans.map((span, n) => ({ ms: latencies[n]!, major: collecting(span, true), minor: collecting(span, false) })).sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(
    `match job latency over ${latencies.length} records: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms; ` +
      `the slowest five ${slowest.map((job) => `${job.ms.toFixed(0)} ms (${job.major.toFixed(0)} in full collections of the garbage, ${job.minor.toFixed(0)} in others)`).join(', ')}`,
  );
  if (workerProcesses > 0) await local.database.close();
}

await startAndProbe();
if (workerProcesses > 0) {
  // The pool's connections let go of it only as their sockets close, just after its end.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const collectedInMs = collectGarbage();
  console.log(`this process's start and probes let go (collected in ${(collectedInMs / 1000).toFixed(1)} s): ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB RSS, ${heapMb()}`);
}

// 3. Sustained: write records (as the API does) while the workers run; time until all are matched.
await boss.deleteAllJobs?.('match').catch(() => {});
// Worker processes of their own, each with what it last said of its memory and CPU time; or workers here.
const workers: { child: ChildProcess; last: { rssMb: number; cpuSeconds?: number }; awaiting?: { answer: WorkerAnswer; resolve: () => void } }[] = [];
/** What a worker process says when it has done what it was asked (pipeline-workers.ts). */
type WorkerAnswer = 'newModel' | 'profiling' | 'profiled';
/** Asks every worker process to do something (a line on its stdin), and waits until each says it has. */
const askWorkers = (line: (n: number) => string, answer: WorkerAnswer) =>
  Promise.all(workers.map((worker, n) => new Promise<void>((resolve) => {
    worker.awaiting = { answer, resolve };
    worker.child.stdin!.write(`${line(n)}\n`);
  })));
if (workerProcesses > 0) {
  started = performance.now();
  await Promise.all(Array.from({ length: workerProcesses }, () => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('./pipeline-workers.ts', import.meta.url)), dbUrl, String(cacheRecords)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const worker: (typeof workers)[number] = { child, last: { rssMb: 0 } };
    workers.push(worker);
    child.once('exit', (code) => reject(new Error(`a worker process exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const said = JSON.parse(line) as { ready?: boolean; rssMb: number; cpuSeconds?: number } & Partial<Record<WorkerAnswer, boolean>>;
      worker.last = said;
      if (said.ready) resolve();
      if (worker.awaiting && said[worker.awaiting.answer]) {
        worker.awaiting.resolve();
        worker.awaiting = undefined;
      }
    });
  })));
  console.log(`${workerProcesses} worker processes started in ${seconds(started).toFixed(1)} s (each prepared every record still looked for${keysInMemory ? ' and read every key' : ''}; ${workers.map((w) => `${w.last.rssMb} MB`).join(', ')} RSS)`);
} else {
  // Counts read again first, so the workers find them just read and do not read them at start (as a
  // second set of workers in a process does): at national scale that read is 40 s of the database's
  // work, which ran through the sustained phase below.
  await warmKeyCounts(database.pool, 0, keyRows);
  await startWorkers(boss, database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: 8, floor: 0.001, topK: 10, engine, keysInMemory, keyRows });
}
/**
 * The CPU seconds of the database server's processes on this machine, from /proc (null where there is
 * none to read): with the Node processes', what a record costs the 2 cores. Processes that ended in
 * between are not counted (the pool's connections live through a phase).
 */
function databaseCpu(): number | null {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!stat.includes('(postgres)')) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // utime and stime, in clock ticks (100 a second on Linux), and cutime and cstime: those of its
        // children that ended, so the postmaster's count a backend's after it exits (without them, a
        // pool's idle connection closed during a phase took its CPU from the phase's, to below zero).
        ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      } catch {
        // gone since the listing
      }
    }
    return ticks ? ticks / 100 : null;
  } catch {
    return null;
  }
}

/** The worker processes' CPU seconds, as they say it every half second: read after a wait, so it is current. */
const workerCpu = async () => {
  if (!workers.length) return 0;
  await new Promise((resolve) => setTimeout(resolve, 600));
  return workers.reduce((sum, w) => sum + (w.last.cpuSeconds ?? 0), 0);
};
/** Records asked at each look whether they are matched (fileAndWait). */
const lookAtOnce = 100;
/** Files the children by `writers` at once, each filing after its last; returns when every one is matched, with when the last was written, in ms since it began. */
const fileAndWait = async (children: FoundChild[]) => {
  const ids: string[] = [];
  const began = performance.now();
  await Promise.all(Array.from({ length: writers }, async (_, lane) => {
    for (let i = lane; i < children.length; i += writers) {
      ids.push(((await records.fileRecord({ pool: database.pool, boss }, foundSide, children[i]!, { actorId: null, actorName: 'bench', requestId: null })).body as { id: string }).id);
    }
  }));
  const written = performance.now() - began;
  // Matched: its subject row is saved in the transaction that stores its candidates. Asked of the
  // first filed still waiting, a hundred at a time, the next hundred at once when those are matched:
  // asked of every record at each look, the looks took the server's processors from the workers
  // (a probe of each record, 31 ms a look for 5,000 on a quiet server, every 100 ms: 27.9 s of
  // statement time over a burst of 5,000 whose database server took 74 s of CPU, bench/FIGURES.md).
  let waiting = ids;
  while (waiting.length) {
    const asked = waiting.slice(0, lookAtOnce);
    const { rows } = await database.pool.query<{ id: string }>(`SELECT record_id AS id FROM match_subject WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [asked]);
    const matched = new Set(rows.map((row) => row.id));
    waiting = [...asked.filter((id) => !matched.has(id)), ...waiting.slice(asked.length)];
    if (matched.size < asked.length) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return written;
};
const burstWorld = generateWorld({ missing: 10, found: sample * 5 + 16, seed: 123 + filingSeed }).found;
// The workers' start (reading the common name-key counts, the first polls) is not part of the rate:
// a few records go through first.
await fileAndWait(burstWorld.slice(0, 16).map((child, i) => ({ ...child, ref: `SETTLE-${run}-${i}` })));
const burst = burstWorld.slice(16).map((child, i) => ({ ...child, ref: `BURST-${run}-${i}` }));
/**
 * The server's write-ahead log so far, in bytes and whole pages, and the checkpoints it has begun (null
 * where its statistics do not say). After a checkpoint begins, the first write of each page is a whole
 * page in the log: at national scale on 2026-12-07, three runs of 5,000 filings just after a checkpoint,
 * the competing-probability refresh took 327 and 215 ms a call with those pages (45,399 and 24,154 of
 * them) and 173 ms with `full_page_writes` off, for the same rows; the database server's CPU (42.6 and
 * 64.3 s against 51.6) did not tell them apart on a slow day. Said, so a phase's figures can be read with it.
 */
const checkpointsSql = (await database.pool.query<{ v17: boolean }>(`SELECT to_regclass('pg_catalog.pg_stat_checkpointer') IS NOT NULL AS v17`)).rows[0]!.v17
  ? 'SELECT num_timed + num_requested FROM pg_stat_checkpointer'
  : 'SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter';
const walNow = async () => {
  try {
    const { rows } = await database.pool.query<{ bytes: string; pages: string; checkpoints: string }>(
      `SELECT wal_bytes::text AS bytes, wal_fpi::text AS pages, (${checkpointsSql})::text AS checkpoints FROM pg_stat_wal`,
    );
    return { bytes: Number(rows[0]!.bytes), pages: Number(rows[0]!.pages), checkpoints: Number(rows[0]!.checkpoints) };
  } catch {
    return null;
  }
};
/** The CPU seconds so far of the worker processes, this process and the database server, and the server's log: cpuSince counts from it. */
const cpuNow = async () => ({ workers: await workerCpu(), here: process.cpuUsage(), database: databaseCpu(), wal: await walNow() });
/** Where cpuSince counts from: each timed phase sets it as it begins. */
let cpuBefore: Awaited<ReturnType<typeof cpuNow>>;
/** CPU seconds this process, the worker processes and the database server spent since cpuBefore, and what the server wrote to its log. */
const cpuSince = async () => {
  const here = process.cpuUsage(cpuBefore.here);
  const database = databaseCpu();
  const wal = await walNow();
  const before = cpuBefore.wal;
  const written = wal && before
    ? `; the server's write-ahead log ${((wal.bytes - before.bytes) / 1e6).toFixed(0)} MB, ${wal.pages - before.pages} of its records whole pages, ${wal.checkpoints - before.checkpoints} checkpoint${wal.checkpoints - before.checkpoints === 1 ? '' : 's'} begun`
    : '';
  return `CPU: this process ${((here.user + here.system) / 1e6).toFixed(1)} s${workers.length ? `, the worker processes ${((await workerCpu()) - cpuBefore.workers).toFixed(1)} s` : ''}${database === null || cpuBefore.database === null ? '' : `, the database server ${(database - cpuBefore.database).toFixed(1)} s`}${written}`;
};
/** The N statements of most time since pg_stat_statements was reset (--statements N), and all statements' totals. */
const printStatements = async (top: number) => {
  const { rows } = await database.pool.query<{ calls: string; plans: string; exec: number; plan: number; rows: string; buffers: string; read: string; query: string }>(
    `SELECT calls, plans, round(total_exec_time)::int AS exec, round(total_plan_time)::int AS plan, rows,
            shared_blks_hit + shared_blks_read + shared_blks_dirtied AS buffers, shared_blks_read AS read, regexp_replace(left(query, 110), '\\s+', ' ', 'g') AS query
       FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT $1`,
    [top],
  );
  for (const row of rows) console.log(`  ${row.calls} calls (${row.plans} plans): ${row.exec} ms, planning ${row.plan} ms, ${row.rows} rows, ${row.buffers} buffers (${row.read} read) | ${row.query}`);
  const { rows: [all] } = await database.pool.query<{ exec: number; plan: number; buffers: string; wal: string }>(
    `SELECT round(sum(total_exec_time))::int AS exec, round(sum(total_plan_time))::int AS plan, sum(shared_blks_hit + shared_blks_read + shared_blks_dirtied) AS buffers, sum(wal_bytes) AS wal FROM pg_stat_statements`,
  );
  console.log(`  every statement: ${all!.exec} ms, planning ${all!.plan} ms, ${all!.buffers} buffers, ${(Number(all!.wal) / 1e6).toFixed(0)} MB of log`);
};
/**
 * Files a burst and waits for it (fileAndWait), its CPU counted from here (cpuSince); with --profile,
 * this process's profile of it as `name`, and each worker process's as `name-worker-N`, written after
 * its time is taken. Returns its seconds and when its last record was written, in ms.
 */
const timedBurst = async (name: string, children: FoundChild[]) => {
  if (values.profile && workers.length) await askWorkers(() => 'profile-start', 'profiling');
  cpuBefore = await cpuNow();
  const began = performance.now();
  const writtenMs = await profiled(values.profile, name, () => fileAndWait(children));
  const burstSeconds = seconds(began);
  if (values.profile && workers.length) await askWorkers((n) => `profile-stop ${values.profile} ${name}-worker-${n + 1}`, 'profiled');
  return { seconds: burstSeconds, writtenMs };
};
const { seconds: sustainedSeconds, writtenMs } = await timedBurst('sustained', burst);
const sustained = burst.length / sustainedSeconds;
const by = workers.length ? `${workers.length} worker processes of 8 workers each` : '8 workers in this process';
console.log(`sustained: ${burst.length} records from write to stored candidates at ${sustained.toFixed(0)} records/s (${writers} writers, ${by}; ${sustainedSeconds.toFixed(1)} s, the last written after ${(writtenMs / 1000).toFixed(1)} s; ${await cpuSince()})`);
// Then the steady burst (--steady), past what the first burst after the workers' start meets for the first time.
const steady = values.steady === undefined ? sample * 50 : Number(values.steady);
if (steady > 0) {
  // Children of a world of their own, so that the first burst's are those it filed before --steady.
  const steadyBurst = generateWorld({ missing: 10, found: steady, seed: 1123 + filingSeed }).found.map((child, i) => ({ ...child, ref: `STEADY-${run}-${i}` }));
  if (statements) {
    await database.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await database.pool.query('CHECKPOINT');
    await database.pool.query('SELECT pg_stat_statements_reset()');
  }
  const { seconds: steadySeconds, writtenMs: steadyWrittenMs } = await timedBurst('steady', steadyBurst);
  console.log(`sustained, the next ${steadyBurst.length}: at ${(steadyBurst.length / steadySeconds).toFixed(0)} records/s (${steadySeconds.toFixed(1)} s, the last written after ${(steadyWrittenMs / 1000).toFixed(1)} s; ${await cpuSince()})`);
  if (statements) await printStatements(statements);
}
if (values['stop-after-steady']) {
  console.log('stopped after the steady burst (--stop-after-steady)');
  await finish();
  process.exit(0);
}

// 4. Re-match: the rate of matching a sample of the loaded records of both sides, in their proportion
// (ten reports to three children at national scale: a found child's search ranks her reports, and
// costs otherwise), extrapolated to every record; also the rate after the first fifth of it, once the
// workers are past what their first jobs meet for the first time. Twenty times the probes: the 400
// reports this phase once re-matched took 2.5 s, too short a time to extrapolate two hours from.
const rematchTotal = sample * 20;
const sampleOf = async (table: string, count: number, of: number) =>
  (await database.pool.query<{ id: string; version: number }>(`SELECT id, version FROM ${table} TABLESAMPLE SYSTEM ($1) LIMIT $2`, [Math.min(100, (300 * count) / of), count])).rows;
const everyRecord = async (table: string) => (await database.pool.query<{ id: string; version: number }>(`SELECT id, version FROM ${table} ORDER BY id`)).rows;
const rematching = rematchAll
  ? { missing: await everyRecord('missing_report'), found: await everyRecord('found_child') }
  : {
      missing: await sampleOf('missing_report', Math.round((rematchTotal * missingCount) / (missingCount + foundCount)), missingCount),
      found: await sampleOf('found_child', Math.round((rematchTotal * foundCount) / (missingCount + foundCount)), foundCount),
    };
const rematchCount = rematching.missing.length + rematching.found.length;
// This process's heap after a full collection, before and after, when it re-matches: what matching a
// record leaves behind (a re-match of every record must not grow a worker by what it matched).
const heapAfterCollection = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};
const heapBeforeRematch = workers.length ? 0 : heapAfterCollection();
const rematchEngine = newModel ? engine.withModel(pipelineNewModel()) : engine;
if (newModel) {
  // The worker processes' workers started again by the new model, as this process's re-match uses it.
  await askWorkers(() => 'new-model', 'newModel');
}
/** The pair table's rows inserted and updated so far (the server's statistics, flushed a second after a statement at most). */
const pairRowsWritten = async () => {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { rows } = await database.pool.query<{ inserted: string; updated: string }>(`SELECT n_tup_ins AS inserted, n_tup_upd AS updated FROM pg_stat_user_tables WHERE relname = 'candidate_pair'`);
  return { inserted: Number(rows[0]!.inserted), updated: Number(rows[0]!.updated) };
};
const pairRowsBefore = await pairRowsWritten();
/** A connection of its own holding off this process's sweeper while it re-matches without jobs. */
const sweepHeld = await database.pool.connect();
cpuBefore = await cpuNow();
started = performance.now();
/** When the last report's pass ended (the reports' passes come first with --rematch-all). */
let reportsDoneAt = started;
/** When a fifth of the records were matched, and how many then. */
let fifth: { at: number; done: number } | null = null;
const progress = (done: number) => {
  if (!fifth && done >= rematchCount / 5) fifth = { at: performance.now(), done };
};
if (workers.length) {
  // Queued as `milap rematch` queues them (several records a job), matched by the worker processes;
  // done when every job is completed, which a worker marks after the transaction that matched its
  // records. Until a fifth of the records are matched, their subject rows are polled too, each poll
  // only those not seen matched yet: a worker completes the jobs it fetched together, so the jobs alone
  // tell the first fifth late. Polling every record's subject row to the end (two thousand index
  // lookups) cost 25 ms of the database's CPU a poll, every tenth of a second, counted as the re-match's.
  const since = (await database.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
  // Each side's jobs queued by a statement of its own, reports first: the queue takes its jobs in the order
  // they were created, and those of one statement in no order (with --rematch-all, every report's before
  // any child's, as `milap rematch` queues them, a chunk a transaction).
  // With --rematch-all, as `milap rematch` queues a run of most records: its jobs mark nothing, and a
  // mark queued with them says every pair is due (migrations/025).
  const queue = (side: 'missing' | 'found') => withTransaction(database.pool, async (tx) => {
    await boss.insert(matchQueue, groupedMatchJobs(side, rematching[side], { reweighLater: rematchAll ? 'every' : true }).map((data) => ({ data })), { db: onClient(tx) });
    if (rematchAll) await tx.query('INSERT INTO pair_reweigh_every (run_id) VALUES (NULL)');
  });
  await queue('missing');
  await queue('found');
  let reportsDone = false;
  // Not with --rematch-all, which does not report the rate after the first fifth: a million records' ids a poll.
  const pending = rematchAll ? null : { missing: new Set(rematching.missing.map((row) => row.id)), found: new Set(rematching.found.map((row) => row.id)) };
  for (;;) {
    if (pending && !fifth) {
      // By side and id, as the subject table's key reads them (by id alone it read the whole table).
      const { rows } = await database.pool.query<{ side: 'missing' | 'found'; record_id: string }>(
        `SELECT side, record_id FROM match_subject WHERE ((side = 'missing' AND record_id = ANY($1::uuid[])) OR (side = 'found' AND record_id = ANY($2::uuid[]))) AND matched_at >= $3`,
        [[...pending.missing], [...pending.found], since]);
      for (const row of rows) pending[row.side].delete(row.record_id);
      progress(rematchCount - pending.missing.size - pending.found.size);
    }
    // The jobs not yet done, by the queue's index of the states a job waits or runs in: the jobs done
    // counted by their ids read every one of them a poll (at national scale 733 ms, 235 s of the
    // database's time in the first 36 min of a full re-match, the bench's work counted as the re-match's).
    const { rows } = await database.pool.query<{ n: number; reports: number }>(
      `SELECT count(*)::int AS n, (count(*) FILTER (WHERE data->>'side' = 'missing'))::int AS reports FROM pgboss.job
        WHERE name = $1 AND state IN ('created', 'retry', 'active', 'failed') AND created_on >= $2`,
      [matchQueue, since]);
    if (!reportsDone && rows[0]!.reports === 0) {
      reportsDone = true;
      reportsDoneAt = performance.now();
    }
    if (rows[0]!.n === 0) break;
    // Every 5 s with --rematch-all: a poll reads every job still waiting, at first all of its hundreds of
    // thousands (by their ids, read every second, 139 ms a poll at national scale: 271 s of the
    // database's time in a re-match of 47 min).
    await new Promise((resolve) => setTimeout(resolve, rematchAll ? 5000 : 100));
  }
} else {
  // Four workers, each matching the records of the jobs it fetched in passes of 32, as workers do;
  // the passes of both sides mixed in their proportion.
  const pass = 32;
  const passesOf = (side: 'missing' | 'found') => {
    const count = Math.ceil(rematching[side].length / pass);
    return Array.from({ length: count }, (_, n) => ({ at: n / count, jobs: rematching[side].slice(n * pass, (n + 1) * pass).map((row) => ({ side, id: row.id, version: row.version })) }));
  };
  // With --rematch-all, every report's pass before any child's, as `milap rematch` queues them.
  const passes = rematchAll ? [...passesOf('missing'), ...passesOf('found')] : [...passesOf('missing'), ...passesOf('found')].sort((a, b) => a.at - b.at);
  const reportPasses = passesOf('missing').length;
  // This process's workers sweep what re-match jobs leave due once none waits (workers.ts,
  // reweighSweeper), and these passes are no jobs: the sweep is held off, and timed below on its own.
  await sweepHeld.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [reweighLock]);
  let done = 0;
  // The planner's figures and the pair tables' vacuum kept as a worker keeps them, after each record it
  // matches (workers.ts, StatisticsKeeper): without, a full re-match at 100,000 × 30,000 grew the
  // duplicate table from the hundred rows the planner knew of to 14,000, and each pass's look for its
  // records' stale duplicates, planned on the hundred, read the whole side (17 ms a pass).
  const statistics = new StatisticsKeeper(database, pino({ level: 'silent' }));
  await profiled(values.profile, 'rematch', () => Promise.all(Array.from({ length: 4 }, async (_, lane) => {
    for (let n = lane; n < passes.length; n += 4) {
      await matchRecords(database.pool, rematchEngine, { floor: 0.001, topK: 10, keyRows }, passes[n]!.jobs, rematchAll ? 'every' : 'later');
      for (const _ of passes[n]!.jobs) void statistics.jobDone();
      progress((done += passes[n]!.jobs.length));
      if (n < reportPasses) reportsDoneAt = performance.now();
    }
  })));
}
const matchedAt = performance.now();
const matchedSeconds = seconds(started);
const pairRowsAfter = await pairRowsWritten();
// Then the competing probabilities of the records whose candidates moved, weighed once as the
// re-match's last job leaves them (workers.ts, reweighSweeper); the worker processes sweep on their own.
const due = rematchAll ? 'every pair' : `${(await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT DISTINCT side, record_id FROM pair_reweigh_due) AS due')).rows[0]!.n} records`;
const sweepStarted = performance.now();
/** The sweep of every pair on as many connections as a worker's (config.ts, MATCH_SWEEP_CONNECTIONS). */
const sweepParallel = database.kind === 'postgres' ? { pool: database.pool, connections: loadConfig().MATCH_SWEEP_CONNECTIONS } : undefined;
let weighedPairs: number | null = null;
if (workers.length) {
  while ((await database.pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM pair_reweigh_due) OR EXISTS (SELECT 1 FROM pair_reweigh_every) AS any')).rows[0]!.any) await new Promise((resolve) => setTimeout(resolve, 100));
} else if (rematchAll) {
  weighedPairs = (await reweighEveryPair(database.pool, [], { floor: 0.001, topK: 10 }, { parallel: sweepParallel })).pairs;
} else {
  // Every job of the re-match has committed: its marks are settled (store.ts, reweighDue).
  const { rows: [now] } = await database.pool.query<{ at: Date }>('SELECT clock_timestamp() AS at');
  weighedPairs = (await reweighDue(database.pool, { settledAt: now!.at })).pairs;
  await sweepHeld.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [reweighLock]);
}
const sweepSeconds = seconds(sweepStarted);
sweepHeld.release();
// The rates of matching, the sweep apart: a sample's sweep weighs the partners of every record it
// matched, several times as many records as a full re-match's sweep does for each (below).
const perSecond = rematchCount / matchedSeconds;
const afterFifth = fifth as { at: number; done: number } | null;
const perSecondAfterFifth = afterFifth ? (rematchCount - afterFifth.done) / ((matchedAt - afterFifth.at) / 1000) : perSecond;
const rematchBy = `${workers.length ? `queued jobs, ${workers.length} worker processes` : '4 workers in this process'}${newModel ? ', by a model trained since' : ''}`;
const rematchCpu = await cpuSince();
const keptPerRecord = workers.length ? '' : `; this process's heap after a full collection ${((heapAfterCollection() - heapBeforeRematch) / rematchCount / 1000).toFixed(1)} KB a record larger`;
const allIn = (rate: number) => `${((missingCount + foundCount) / rate / 60).toFixed(1)} min`;
const pairRows = `${pairRowsAfter.inserted - pairRowsBefore.inserted} pair rows inserted and ${pairRowsAfter.updated - pairRowsBefore.updated} updated`;
if (rematchAll) {
  const reportSeconds = (reportsDoneAt - started) / 1000;
  console.log(`re-match of every record: ${(matchedSeconds / 60).toFixed(1)} min, ${perSecond.toFixed(0)} records/s (${rematchBy}; the ${rematching.missing.length} reports first, in ${(reportSeconds / 60).toFixed(1)} min, ${(rematching.missing.length / reportSeconds).toFixed(0)} records/s, then the ${rematching.found.length} children in ${((matchedSeconds - reportSeconds) / 60).toFixed(1)} min, ${(rematching.found.length / (matchedSeconds - reportSeconds)).toFixed(0)} records/s; ${pairRows}), then swept: ${rematchCpu}${keptPerRecord}`);
} else {
  console.log(`re-match: ${perSecond.toFixed(0)} records/s, ${perSecondAfterFifth.toFixed(0)} after the first fifth (${rematchBy}; ${rematching.missing.length} reports and ${rematching.found.length} children matched in ${matchedSeconds.toFixed(1)} s, ${pairRows}, then swept: ${rematchCpu}); all ${missingCount + foundCount} records matched in ${allIn(perSecond)} (${allIn(perSecondAfterFifth)} at the rate after the first fifth), before their sweep${keptPerRecord}`);
}
// A sample's sweep is not to be scaled up to a full re-match's: it weighs few children before the
// reports, and each report's pairs whole, reading its children's sums; a full re-match's weighs every
// child's pairs, which are all the pairs, and nothing else (with --rematch-all, or --full-sweep).
console.log(`re-match's weighing of competing probabilities: ${due} due after matching, weighed in ${sweepSeconds.toFixed(1)} s${weighedPairs === null ? '' : ` (${weighedPairs} pairs moved)`}`);

// 4b. --full-sweep: every pair weighed again, as a full re-match's sweep weighs them (migrations/025), timed.
if (values['full-sweep']) {
  // Held off the workers' sweepers, as above: this one is timed alone.
  const held = await database.pool.connect();
  await held.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [reweighLock]);
  cpuBefore = await cpuNow();
  started = performance.now();
  const swept = await reweighEveryPair(database.pool, [], { floor: 0.001, topK: 10 }, { parallel: sweepParallel });
  const sweptSeconds = seconds(started);
  await held.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [reweighLock]);
  held.release();
  console.log(`full sweep: the pairs of ${swept.children} children weighed in ${(sweptSeconds / 60).toFixed(1)} min (${swept.pairs} pairs moved; ${await cpuSince()}); a full re-match, all ${missingCount + foundCount} records matched at ${perSecond.toFixed(0)} records/s, then swept: ${((missingCount + foundCount) / perSecond / 60 + sweptSeconds / 60).toFixed(1)} min`);
}

await finish();

/** 5. Size and memory; then the worker processes stopped, and the database dropped unless kept. */
async function finish() {
  const size = await database.pool.query(`SELECT pg_size_pretty(pg_database_size($1)) AS size`, [dbName]);
  console.log(`database size: ${size.rows[0].size}; this process's memory: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB RSS, ${heapMb()}${workers.length ? `; the worker processes' ${workers.map((w) => `${w.last.rssMb} MB`).join(', ')} RSS` : ''}`);
  for (const { child } of workers) {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
  }
  await boss.stop({ graceful: false, close: false });
  await database.close();
  if (!process.env.PIPELINE_KEEP && !reuse) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
