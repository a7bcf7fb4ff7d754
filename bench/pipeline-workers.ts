// One match-worker process of `bench/pipeline.ts --worker-processes N`, as a deployment runs several
// beside the API: it reads the common key counts, prepares every record still looked for (and, with
// MATCH_KEYS_IN_MEMORY=on, reads every record's keys into memory), reads back the pages match jobs
// read at random (unless MATCH_READ_BACK=off), starts the match workers, says so
// on stdout as one JSON line, and matches jobs until it is killed. A line `new-model` on stdin
// (the bench's --new-model, before its re-match) starts its workers again scoring by a model trained
// since, on the records and keys it holds (engine.ts, withModel), and it says so as a JSON line;
// `profile-start`, then `profile-stop DIR NAME` (the bench's --profile) take its CPU profile between them.
//   node --import tsx bench/pipeline-workers.ts DATABASE_URL CACHE_RECORDS
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { pipelineNewModel } from '../fixtures/synth/retrained.ts';
import { openDatabase } from '../src/db/database.ts';
import { WorkerMetrics } from '../src/jobs/metrics.ts';
import { matchQueue, startQueue } from '../src/jobs/queue.ts';
import { loadConfig } from '../src/config.ts';
import { startWorkers } from '../src/jobs/workers.ts';
import { createEngine } from '../src/matching/engine.ts';
import { liveKeysOf } from '../src/matching/live-keys.ts';
import { warmKeyCounts } from '../src/matching/match-job.ts';
import { warmPreparedRecords } from '../src/matching/warm.ts';
import { readBackMatchPages } from '../src/matching/read-back.ts';
import { startProfile } from './profile.ts';

const [url, cacheRecords] = process.argv.slice(2);
if (!url || !cacheRecords) {
  process.stderr.write('usage: node --import tsx bench/pipeline-workers.ts DATABASE_URL CACHE_RECORDS\n');
  process.exit(2);
}
const started = performance.now();
const database = await openDatabase({ DATABASE_URL: url, MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 10 });
const boss = await startQueue(database, { supervise: false });
const engine = createEngine(undefined, Number(cacheRecords));
const keysInMemory = process.env.MATCH_KEYS_IN_MEMORY === 'on';
const prepared = keysInMemory ? (await liveKeysOf(database.pool).build(database.pool, engine))! : await warmPreparedRecords(database.pool, engine);
// Read just before the workers start, which then find them just read and do not read them again while
// the bench measures (the workers read them at start unless read within the last minute).
const keyRows = loadConfig().MATCH_KEY_ROWS === 'on';
await warmKeyCounts(database.pool, 0, keyRows);
// And the pages match jobs read at random, which that reading pushed out, read back as a worker does
// after its start (read-back.ts; one process of several reads them).
const readBack = process.env.MATCH_READ_BACK === 'off' ? null : await readBackMatchPages(database, { keyRows });
// The sweep after a re-match of most records on as many connections as a worker's (config.ts, MATCH_SWEEP_CONNECTIONS).
const settings = { concurrency: 8, floor: 0.001, topK: 10, keysInMemory, keyRows, sweepConnections: loadConfig().MATCH_SWEEP_CONNECTIONS };
await startWorkers(boss, database, pino({ level: 'silent' }), new WorkerMetrics(), { ...settings, engine });
const usage = () => {
  const cpu = process.cpuUsage();
  return { rssMb: Math.round(process.memoryUsage().rss / 1e6), cpuSeconds: (cpu.user + cpu.system) / 1e6 };
};
process.stdout.write(`${JSON.stringify({ ready: true, records: prepared.records, readBack, seconds: Number(((performance.now() - started) / 1000).toFixed(1)), ...usage() })}\n`);
/** The CPU profile asked for by `profile-start`, until `profile-stop DIR NAME` writes it (the bench's --profile). */
let profiling: Awaited<ReturnType<typeof startProfile>> | null = null;
createInterface({ input: process.stdin }).on('line', (line) => {
  const [verb, dir, name] = line.split(' ');
  if (verb === 'profile-start') {
    void startProfile().then((started) => {
      profiling = started;
      process.stdout.write(`${JSON.stringify({ profiling: true, ...usage() })}\n`);
    });
    return;
  }
  if (verb === 'profile-stop' && profiling && dir && name) {
    const stopping = profiling;
    profiling = null;
    // Printed on stderr, which the bench passes on: stdout is its JSON lines.
    void stopping.stop(dir, name, 15, (said) => process.stderr.write(`${said}\n`)).then(() => process.stdout.write(`${JSON.stringify({ profiled: true, ...usage() })}\n`));
    return;
  }
  if (line !== 'new-model') return;
  void (async () => {
    // No job runs meanwhile: the bench asks between its phases.
    await boss.offWork(matchQueue);
    await startWorkers(boss, database, pino({ level: 'silent' }), new WorkerMetrics(), { ...settings, engine: engine.withModel(pipelineNewModel()) });
    process.stdout.write(`${JSON.stringify({ newModel: true, ...usage() })}\n`);
  })();
});
// Every half second, this process's memory and CPU time, for the bench to report.
setInterval(() => process.stdout.write(`${JSON.stringify(usage())}\n`), 500).unref();
process.on('SIGTERM', () => {
  void boss.stop({ graceful: false, close: false }).finally(() => database.close()).finally(() => process.exit(0));
});
