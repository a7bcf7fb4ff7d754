// The embedded database (PGlite, no server) at 10,000 records: a synthetic world is imported with the
// real CLI (`milap import`, no DATABASE_URL) into a fresh data directory, then the match worker runs
// in this process, as `milap serve` runs it on PGlite, until every record is matched; the run
// prints the times, how many children with a report have it among their candidates, how fast the
// officers' queue reads, and the size of the data directory.
//   npx tsx bench/embedded.ts [--missing 7000 --found 3000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { generateWorld } from '../fixtures/synth/world.ts';
import { openDatabase } from '../src/db/database.ts';
import { WorkerMetrics } from '../src/jobs/metrics.ts';
import { startQueue } from '../src/jobs/queue.ts';
import { startWorkers } from '../src/jobs/workers.ts';

const { values } = parseArgs({ options: { missing: { type: 'string', default: '7000' }, found: { type: 'string', default: '3000' } } });
const [missingCount, foundCount] = [Number(values.missing), Number(values.found)];
const total = missingCount + foundCount;
const seconds = (since: number) => (performance.now() - since) / 1000;
const dir = mkdtempSync(join(tmpdir(), 'milap-embedded-'));
const dataDir = join(dir, 'data');

try {
  const world = generateWorld({ missing: missingCount, found: foundCount, seed: 3 });
  const files = { missing: join(dir, 'missing.jsonl'), found: join(dir, 'found.jsonl') };
  writeFileSync(files.missing, world.missing.map((record) => JSON.stringify(record)).join('\n') + '\n');
  writeFileSync(files.found, world.found.map((record) => JSON.stringify(record)).join('\n') + '\n');

  let started = performance.now();
  for (const side of ['missing', 'found'] as const) {
    const env: NodeJS.ProcessEnv = { ...process.env, MILAP_DATA_DIR: dataDir, LOG_LEVEL: 'warn', CI: 'true' };
    delete env.DATABASE_URL;
    const imported = spawnSync(process.execPath, ['bin/milap.js', 'import', `--${side}`, files[side]], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (imported.status !== 0) throw new Error(`import of ${side} failed: ${imported.stderr}`);
  }
  const importSeconds = seconds(started);
  console.log(`imported ${missingCount} reports and ${foundCount} children into PGlite with milap import in ${importSeconds.toFixed(1)} s (${(total / importSeconds).toFixed(0)} records/s)`);

  const database = await openDatabase({ DATABASE_URL: undefined, MILAP_DATA_DIR: dataDir, DATABASE_POOL_SIZE: 10 });
  const boss = await startQueue(database, { supervise: true });
  const matched = async () => Number((await database.pool.query(
    `SELECT (SELECT count(*) FROM missing_report r JOIN match_subject s ON s.side = 'missing' AND s.record_id = r.id AND s.version = r.version)
          + (SELECT count(*) FROM found_child r JOIN match_subject s ON s.side = 'found' AND s.record_id = r.id AND s.version = r.version) AS n`,
  )).rows[0].n);
  started = performance.now();
  await startWorkers(boss, database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: 1, floor: 0.001, topK: 10 });
  let lastPrint = 0;
  for (;;) {
    const done = await matched();
    if (seconds(started) - lastPrint >= 30 || done >= total) {
      lastPrint = seconds(started);
      console.log(`  ${lastPrint.toFixed(0)} s: ${done} of ${total} matched`);
    }
    if (done >= total) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const matchSeconds = seconds(started);
  console.log(`matched all ${total} records in ${matchSeconds.toFixed(1)} s (${(total / matchSeconds).toFixed(1)} records/s, one worker: PGlite is one connection)`);

  const { rows: pairs } = await database.pool.query<{ pair: string }>(
    `SELECT m.ref || '|' || f.ref AS pair FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id`,
  );
  const stored = new Set(pairs.map((row) => row.pair));
  const found = world.truePairs.filter((pair) => stored.has(`${pair.missingRef}|${pair.foundRef}`)).length;
  console.log(`${pairs.length} candidate pairs; children with a report that have it among their candidates: ${found} of ${world.truePairs.length} (${((100 * found) / Math.max(1, world.truePairs.length)).toFixed(1)}%)`);

  const queue = [];
  for (let i = 0; i < 20; i++) {
    const at = performance.now();
    await database.pool.query(`SELECT id, probability FROM candidate_pair WHERE state = 'pending' ORDER BY probability DESC, id DESC LIMIT 25 OFFSET $1`, [i * 25]);
    queue.push(performance.now() - at);
  }
  queue.sort((a, b) => a - b);
  console.log(`officers' queue, 25 pairs a page: median ${queue[10]!.toFixed(1)} ms`);
  await boss.stop({ graceful: false, close: false });
  await database.close();
  const du = spawnSync('du', ['-sm', dataDir], { encoding: 'utf8' }).stdout.split('\t')[0];
  console.log(`data directory: ${du} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
