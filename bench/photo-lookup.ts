// The photo-hash proximity key as the match job runs it, on the local PostgreSQL server: N stored
// photo hashes (COPY; random PDQ-like hashes, bits balanced as PDQ's median threshold makes them),
// a worker's photo index built from them, then lookups as match jobs make them: each first reads
// the photos saved since its last look (one new photo is saved before every lookup), then finds
// every stored hash within 31 bits of the query's eight variants. Queries alternate between a copy
// of a stored hash 0-31 bits off and a hash near nothing. Prints build time and memory, latency
// p50/p95/p99 of PhotoNeighbourhood.recordsNear, and how many copies were found.
//   npx tsx bench/photo-lookup.ts [--hashes 1000000] [--queries 500]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { PhotoHash } from '../matchers/photos/evidence.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { PhotoNeighbourhood } from '../src/matching/photo-index.ts';
import { Random } from '../fixtures/synth/random.ts';
import { admin, copyRows, databaseUrl } from './db.ts';

const { values } = parseArgs({ options: { hashes: { type: 'string', default: '1000000' }, queries: { type: 'string', default: '500' } } });
const [count, queries] = [Number(values.hashes), Number(values.queries)];
const dbName = 'milap_bench_photos';
const dbUrl = databaseUrl(dbName);
const seconds = (started: number) => ((performance.now() - started) / 1000).toFixed(1);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const seeded = new Random(99);
const random = () => seeded.next();
const randomHash = () => Array.from({ length: 8 }, () => Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
function flipBits(hash: string, bits: number): string {
  const digits = hash.split('').map((c) => Number.parseInt(c, 16));
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Math.floor(random() * 256));
  for (const bit of chosen) digits[bit >> 2]! ^= 1 << (bit & 3);
  return digits.map((d) => d.toString(16)).join('');
}
// Stored rows carry 8 "variants": the hash and 7 unrelated ones, as far from it as real turns are.
const variantsOf = (hash: string) => [hash, ...Array.from({ length: 7 }, randomHash)];
const pgArray = (items: readonly (string | number)[]) => `{${items.join(',')}}`;

await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin(`CREATE DATABASE ${dbName}`);
const database = await openDatabase({ DATABASE_URL: dbUrl, MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 4 });
await migrate(database.pool);

let started = performance.now();
const ids: string[] = [];
const stored: string[] = [];
const photoRows = function* () {
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const hash = randomHash();
    ids.push(id);
    stored.push(hash);
    yield [id, 'missing', id, randomUUID().replaceAll('-', ''), 'thumb', 640, 480, 50000, 'jpeg', hash, 80, pgArray(variantsOf(hash)), 'bench'];
  }
};
await copyRows(database.pool, 'COPY photo (id, side, record_id, sha256, thumbnail_sha256, width, height, bytes, source_format, pdq, pdq_quality, pdq_variants, uploaded_by) FROM STDIN', photoRows());
await database.pool.query('ANALYZE photo');
console.log(`loaded ${count} photo hashes in ${seconds(started)} s`);

const neighbourhood = new PhotoNeighbourhood();
started = performance.now();
await neighbourhood.recordsNear(database.pool, 'missing', [{ hash: randomHash(), variants: [randomHash()] }]);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
console.log(`a worker's photo index: ${neighbourhood.size('missing')} hashes read and indexed in ${seconds(started)} s, holding ${mb(neighbourhood.bytes('missing'))} MB`);

const timings: number[] = [];
let nearFound = 0;
let nearAsked = 0;
let farFound = 0;
for (let q = 0; q < queries; q++) {
  const near = q % 2 === 0;
  const target = Math.floor(random() * count);
  const hash = near ? flipBits(stored[target]!, Math.floor(random() * 32)) : randomHash();
  // The query photo's own variants: its hash and seven others, as the upload computes them.
  const photo: PhotoHash = { hash, variants: variantsOf(hash) };
  // Another worker saved a photo since: the lookup reads it first.
  await database.pool.query(
    `INSERT INTO photo (side, record_id, sha256, thumbnail_sha256, width, height, bytes, source_format, uploaded_by, pdq, pdq_quality, pdq_variants)
     VALUES ('missing', $1, $2, $2, 640, 480, 50000, 'jpeg', 'bench', $3, 80, $4)`,
    [randomUUID(), randomUUID(), randomHash(), variantsOf(randomHash())],
  );
  const t0 = performance.now();
  const found = await neighbourhood.recordsNear(database.pool, 'missing', [photo]);
  timings.push(performance.now() - t0);
  if (near) {
    nearAsked++;
    if (found.includes(ids[target]!)) nearFound++;
  } else farFound += found.length;
}
timings.sort((a, b) => a - b);
const { rows } = await database.pool.query(`SELECT pg_size_pretty(pg_total_relation_size('photo')) AS photo`);
console.log(`${queries} lookups among ${count} hashes (8 variants each, every hash within 31 bits of any):`);
console.log(`  latency p50 ${percentile(timings, 0.5).toFixed(2)} ms, p95 ${percentile(timings, 0.95).toFixed(2)} ms, p99 ${percentile(timings, 0.99).toFixed(2)} ms (target: at most 20 ms)`);
console.log(`  copies 0-31 bits off found: ${nearFound} of ${nearAsked}; unrelated hashes matched: ${farFound}`);
console.log(`  photo table ${rows[0].photo}`);
await database.close();
if (!process.env.KEEP_BENCH_DB) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
