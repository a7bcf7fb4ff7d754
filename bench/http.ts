// HTTP throughput on the local PostgreSQL server, beside a bare Fastify route doing one INSERT into
// the same table, in the same run: filing and listing reports as police do, and the review queue
// and decisions as matching officers do. Prints req/s, p99, errors and the ratio to the bare route,
// and checks that no write was lost (rows in the database equal the 2xx answers).
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/http.ts [--seconds 10]
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { startQueue } from '../src/jobs/queue.ts';
import { DirectoryPhotoStore } from '../src/photos/store.ts';
import { issueToken } from '../src/access/credentials.ts';
import { createUser } from '../src/access/users.ts';
import { fullFoundChild, fullMissingReport } from '../test/helpers/people.ts';
import { admin, databaseUrl } from './db.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const benchDb = `milap_bench_http`;

function reportBody(): string {
  return JSON.stringify(fullMissingReport({ ref: `BENCH-${randomUUID()}` }));
}

let authorization = '';

async function measure(label: string, url: string, method: 'POST' | 'GET', as = authorization, next?: (request: autocannon.Request) => autocannon.Request) {
  const result = await autocannon({
    url,
    method,
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: as },
    requests: [{ method, setupRequest: (request) => (next ? next(request) : method === 'POST' ? { ...request, body: reportBody() } : request) }],
  });
  const errors = result.errors + result.non2xx;
  return { label, reqPerSec: result.requests.average, p99Ms: result.latency.p99, errors, ok: result['2xx'] };
}

await admin(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`);
await admin(`CREATE DATABASE ${benchDb}`);
const dbUrl = new URL(databaseUrl(benchDb));
const database = await openDatabase({ DATABASE_URL: dbUrl.toString(), MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 10 });
await migrate(database.pool);
const boss = await startQueue(database, { supervise: false });

const photoStore = new DirectoryPhotoStore(mkdtempSync(join(tmpdir(), 'milap-bench-photos-')));
const app = await buildApp({ config: { BODY_LIMIT_BYTES: 1024 * 1024, SECURE_COOKIES: 'off' }, pool: database.pool, boss, photoStore });
const appAddress = await app.listen({ host: '127.0.0.1', port: 0 });
// The API is measured as a police system uses it: a bearer token of a national police user.
const benchUser = await createUser(database.pool, { username: 'bench.police', displayName: 'Bench', role: 'police', scope: 'national', password: 'bench password long' });
authorization = `Bearer ${(await issueToken(database.pool, benchUser.id, 'bench', 1)).token}`;

// The bare route: parse JSON, one INSERT of the same row shape, answer 201. No validation, history,
// places or queue: the ceiling that the real route's extra work is measured against.
const bare = Fastify();
bare.post('/bare', async (request, reply) => {
  const record = request.body as { ref: string; missingSince: string; policeStation: string };
  const { rows } = await database.pool.query(
    `INSERT INTO missing_report (filing_unit, ref, record, event_date, created_by, updated_by)
     VALUES ($1, $2, $3, $4, 'bench', 'bench') RETURNING id`,
    [record.policeStation, record.ref, record, record.missingSince],
  );
  return reply.status(201).send(rows[0]);
});
const bareAddress = await bare.listen({ host: '127.0.0.1', port: 0 });

const rows = [];
rows.push(await measure('bare INSERT route', `${bareAddress}/bare`, 'POST'));
rows.push(await measure('POST /api/v1/missing-reports', `${appAddress}/api/v1/missing-reports`, 'POST'));
// What autovacuum would have done after ten thousand new rows (it is off on some machines, and a
// planner without statistics may sort a whole state's reports to list fifty).
await database.pool.query('ANALYZE missing_report');
rows.push(await measure('GET /api/v1/missing-reports?limit=50', `${appAddress}/api/v1/missing-reports?limit=50`, 'GET'));
rows.push(await measure('GET ...?state=Jharkhand&limit=50', `${appAddress}/api/v1/missing-reports?state=Jharkhand&limit=50`, 'GET'));

// The review side: a matching officer (national) works a queue of candidate pairs. Found children
// and pairs are laid down in SQL (the matching itself is benchmarked in bench/pipeline.ts).
const officer = await createUser(database.pool, { username: 'bench.officer', displayName: 'Bench officer', role: 'matching_officer', scope: 'national', password: 'bench password long' });
const officerAuthorization = `Bearer ${(await issueToken(database.pool, officer.id, 'bench', 1)).token}`;
const child = fullFoundChild();
await database.pool.query(
  `INSERT INTO found_child (filing_unit, ref, record, event_date, state_code, district_id, created_by, updated_by)
   SELECT $1, 'BENCH-F-' || m.id, $2, $3, 'DL', 'DL-new-delhi', 'bench', 'bench' FROM missing_report m`,
  [child.institution, child, child.foundOn],
);
await database.pool.query(
  `INSERT INTO candidate_pair (missing_id, found_id, probability, match_weight, explanation, model_version, missing_version, found_version)
   SELECT m.id, f.id, random(), 0, '[]', 'bench', 1, 1 FROM missing_report m JOIN found_child f ON f.ref = 'BENCH-F-' || m.id`,
);
const pending = (await database.pool.query<{ id: string }>(`SELECT id FROM candidate_pair ORDER BY random()`)).rows.map((row) => row.id);
rows.push(await measure('GET /api/v1/candidates (officer queue)', `${appAddress}/api/v1/candidates?state=pending&limit=25`, 'GET', officerAuthorization));
let nextPair = 0;
const decisions = ['reject', 'hold'] as const;
rows.push(
  await measure('POST /api/v1/candidates/:id/decision', `${appAddress}/api/v1/candidates`, 'POST', officerAuthorization, (request) => {
    const id = pending[nextPair++ % pending.length];
    return { ...request, path: `/api/v1/candidates/${id}/decision`, body: JSON.stringify({ decision: decisions[nextPair % 2], reason: 'bench: not the same child' }) };
  }),
);

const stored = await database.pool.query(`SELECT count(*)::int AS n FROM missing_report WHERE created_by = 'bench.police'`);
const jobs = await database.pool.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'match'`);
const decided = await database.pool.query(`SELECT count(*)::int AS n FROM candidate_decision`);
const bareRate = rows[0]!.reqPerSec;
console.log(`\n${connections} connections, ${seconds} s each, database ${benchDb} on ${dbUrl.host}`);
console.table(rows.map((r) => ({ ...r, ratioToBare: Number((r.reqPerSec / bareRate).toFixed(2)) })));
console.log(`reports stored through the API: ${stored.rows[0].n} (2xx answers: ${rows[1]!.ok}); match jobs queued: ${jobs.rows[0].n}`);
console.log(`decisions stored: ${decided.rows[0].n} (2xx answers: ${rows[5]!.ok}; pairs available: ${pending.length})`);
// A request still in flight when a run's clock stops is answered after autocannon stops counting:
// each write may have up to one such request per connection beyond its 2xx count, never fewer rows.
const settled = (rowsStored: number, answered: number) => rowsStored >= answered && rowsStored - answered <= connections;
const lost = !settled(stored.rows[0].n, rows[1]!.ok) || jobs.rows[0].n !== stored.rows[0].n || !settled(decided.rows[0].n, rows[5]!.ok);
const errors = rows.reduce((sum, row) => sum + row.errors, 0);
console.log(lost || errors ? `FAILED: ${errors} errors; writes lost or doubled: ${lost}` : `no errors; every 2xx write is in the database (and at most one in-flight request per connection beyond them)`);
process.exitCode = lost || errors ? 1 : 0;

await app.close();
await bare.close();
await boss.stop({ graceful: false, close: false });
await database.close();
await admin(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`);
