// A rescue drive of 5,000 children on the local PostgreSQL server: the missing side (synthetic
// reports, loaded with COPY with their match keys) is in place; a drive is created; its children are
// registered in bulk with the real CLI (`milap import --found FILE --drive ID`), timed; then the
// match workers run until every child of the drive is matched, timed, with progress; the drive's
// report and how many children with a true report have it among their candidates close the run.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/drive.ts [--missing 20000 --children 5000]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { generateWorld } from '../fixtures/synth/world.ts';
import { isoOfDay } from '../matchers/age.ts';
import { blockingKeys } from '../matchers/blocking.ts';
import { prepareMissing } from '../matchers/prepare.ts';
import { matcherVersion } from '../matchers/version.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { WorkerMetrics } from '../src/jobs/metrics.ts';
import { startQueue } from '../src/jobs/queue.ts';
import { startWorkers } from '../src/jobs/workers.ts';
import { createEngine } from '../src/matching/engine.ts';
import { resolveRecordPlaces } from '../src/records/places.ts';
import { missingSide } from '../src/records/sides.ts';
import { admin, copyRows, databaseUrl } from './db.ts';

const { values } = parseArgs({ options: { missing: { type: 'string', default: '20000' }, children: { type: 'string', default: '5000' }, workers: { type: 'string', default: '4' } } });
const [missingCount, childCount, workers] = [Number(values.missing), Number(values.children), Number(values.workers)];
const dbName = 'milap_bench_drive';
const dbUrl = databaseUrl(dbName);
const seconds = (since: number) => (performance.now() - since) / 1000;
await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin(`CREATE DATABASE ${dbName}`);
const database = await openDatabase({ DATABASE_URL: dbUrl, MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 10 });
await migrate(database.pool);
const boss = await startQueue(database, { supervise: true });
const engine = createEngine();

// The missing side, as a state's register holds it.
const world = generateWorld({ missing: missingCount, found: childCount, seed: 7 });
let started = performance.now();
const reports = world.missing.map((record) => ({ id: randomUUID(), record, prepared: prepareMissing(record) }));
await copyRows(database.pool, 'COPY missing_report (id, filing_unit, ref, status, record, places, state_code, district_id, event_date, created_by, updated_by) FROM STDIN',
  reports.map(({ id, record }) => {
    const places = resolveRecordPlaces(missingSide, record);
    return [id, missingSide.filingUnit(record), record.ref, 'open', JSON.stringify(record), JSON.stringify(places.places), places.stateCode, places.districtId, missingSide.eventDate(record), 'bench', 'bench'];
  }));
await copyRows(database.pool, 'COPY match_subject (side, record_id, version, sex, born_from, born_to, active, model_version, matcher_version) FROM STDIN',
  reports.map(({ id, prepared: p }) => ['missing', id, 1, p.sex, p.birth ? isoOfDay(p.birth.from) : null, p.birth ? isoOfDay(p.birth.to) : null, 't', engine.modelVersion, matcherVersion]));
await copyRows(database.pool, 'COPY match_key (side, key, record_id, born_from, born_to, active, event_day) FROM STDIN',
  reports.flatMap(({ id, prepared }) => blockingKeys(prepared).map((key) => ['missing', key, id, prepared.birth ? isoOfDay(prepared.birth.from) : null, prepared.birth ? isoOfDay(prepared.birth.to) : null, 't', isoOfDay(prepared.eventDay)])));
await database.pool.query('ANALYZE');
console.log(`${missingCount} missing reports in place (COPY) in ${seconds(started).toFixed(1)} s`);

// The drive and its children, registered with the CLI as a district unit would.
const drive = await database.pool.query<{ id: string }>(
  `INSERT INTO rescue_drive (name, starts_on, ends_on, districts, state_code, created_by) VALUES ('Operation Smile (synthetic bench)', '2026-01-01', '2026-01-31', '{}', NULL, 'bench') RETURNING id`,
);
const driveId = drive.rows[0]!.id;
const file = join(mkdtempSync(join(tmpdir(), 'milap-drive-')), 'children.jsonl');
writeFileSync(file, world.found.map((child) => JSON.stringify({ ...child, photos: [] })).join('\n') + '\n');
started = performance.now();
const imported = spawnSync(process.execPath, ['bin/milap.js', 'import', '--found', file, '--drive', driveId], {
  env: { ...process.env, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', CI: 'true' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
});
const registerSeconds = seconds(started);
if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
console.log(`registered ${childCount} children into the drive with milap import in ${registerSeconds.toFixed(1)} s (${(childCount / registerSeconds).toFixed(0)} children/s)`);
console.log(`  ${imported.stderr.trim().split("\n").pop()}`);

// Matching: the workers take the drive's jobs; progress every few seconds until all are matched.
const report = async () => (await database.pool.query<{ registered: number; matched: number; likely: number }>(
  `SELECT count(*)::int AS registered,
          count(*) FILTER (WHERE s.version = f.version)::int AS matched,
          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM candidate_pair c WHERE c.found_id = f.id AND c.probability >= 0.5))::int AS likely
     FROM found_child f LEFT JOIN match_subject s ON s.side = 'found' AND s.record_id = f.id WHERE f.drive_id = $1`,
  [driveId],
)).rows[0]!;
started = performance.now();
await startWorkers(boss, database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: workers, floor: 0.001, topK: 10 });
let lastPrint = 0;
for (;;) {
  const now = await report();
  if (seconds(started) - lastPrint >= 10 || now.matched >= childCount) {
    lastPrint = seconds(started);
    console.log(`  ${lastPrint.toFixed(0)} s: ${now.matched} of ${now.registered} matched`);
  }
  if (now.matched >= childCount) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
const matchSeconds = seconds(started);
const final = await report();
console.log(`matched all ${childCount} children in ${matchSeconds.toFixed(1)} s (${(childCount / matchSeconds).toFixed(1)} children/s, ${workers} workers in one process)`);

// How many children who have a report found it among their candidates.
const { rows: pairs } = await database.pool.query<{ missingRef: string; foundRef: string }>(
  `SELECT m.ref AS "missingRef", f.ref AS "foundRef" FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id WHERE f.drive_id = $1`,
  [driveId],
);
const stored = new Set(pairs.map((p) => `${p.missingRef}|${p.foundRef}`));
const truePairs = world.truePairs;
const foundTrue = truePairs.filter((p) => stored.has(`${p.missingRef}|${p.foundRef}`)).length;
console.log(`drive report: registered ${final.registered}, matched ${final.matched}, with a likely pair (>= 0.5) ${final.likely}`);
console.log(`children with a true report: ${truePairs.length}; that report among their stored candidates: ${foundTrue} (${((100 * foundTrue) / Math.max(1, truePairs.length)).toFixed(1)}%)`);
console.log(`total for the drive: ${(registerSeconds + matchSeconds).toFixed(1)} s from file to matched`);

await boss.stop({ graceful: false, close: false });
await database.close();
await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
