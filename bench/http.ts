// HTTP throughput on the local PostgreSQL server, beside a bare Fastify route doing one INSERT into
// the same table, in the same run: filing and listing reports as police do, and the review queue
// and decisions as matching officers do. Prints req/s, p99, errors and the ratio to the bare route,
// and checks that no write was lost (rows in the database equal the 2xx answers).
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/http.ts [--seconds 10] [--rounds 3]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { issueToken } from '../src/access/credentials.ts';
import { createUser } from '../src/access/users.ts';
import { matchJobRecordsSql } from '../src/jobs/queue.ts';
import { fullFoundChild, fullMissingReport } from '../test/helpers/people.ts';
import { admin, databaseUrl } from './db.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const benchDb = `milap_bench_http`;

function reportBody(): string {
  return JSON.stringify(fullMissingReport({ ref: `BENCH-${randomUUID()}` }));
}

let authorization = '';

/**
 * CPU seconds used so far by each of PostgreSQL's processes and by one server process, from
 * Linux's /proc (none elsewhere): CPU per request is steadier than requests per second on a shared
 * machine.
 */
function cpuSeconds(serverPid: number | undefined): Map<number, { postgres: boolean; seconds: number }> {
  const used = new Map<number, { postgres: boolean; seconds: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return used;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const postgres = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres';
    if (!postgres && Number(pid) !== serverPid) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    used.set(Number(pid), { postgres, seconds: (Number(fields[11]) + Number(fields[12])) / 100 }); // utime + stime, in clock ticks
  }
  return used;
}

/** CPU seconds between two readings, by processes alive at the second (a new one counts whole). */
function cpuBetween(before: ReturnType<typeof cpuSeconds>, after: ReturnType<typeof cpuSeconds>) {
  const used = { postgres: 0, server: 0 };
  for (const [pid, now] of after) used[now.postgres ? 'postgres' : 'server'] += now.seconds - (before.get(pid)?.seconds ?? 0);
  return used;
}

async function measure(label: string, url: string, method: 'POST' | 'GET', as = authorization, next?: (request: autocannon.Request) => autocannon.Request) {
  const serverPid = (url.startsWith(bareAddress) ? children[1] : children[0])?.pid;
  const before = cpuSeconds(serverPid);
  const result = await autocannon({
    url,
    method,
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: as },
    requests: [{ method, setupRequest: (request) => (next ? next(request) : method === 'POST' ? { ...request, body: reportBody() } : request) }],
  });
  const used = cpuBetween(before, cpuSeconds(serverPid));
  const errors = result.errors + result.non2xx;
  const perRequest = (seconds: number) => (seconds * 1000) / Math.max(1, result['2xx']);
  return {
    label,
    reqPerSec: result.requests.average,
    p99Ms: result.latency.p99,
    errors,
    ok: result['2xx'],
    pgCpuMs: perRequest(used.postgres),
    serverCpuMs: perRequest(used.server),
  };
}

await admin(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`);
await admin(`CREATE DATABASE ${benchDb}`);
const dbUrl = databaseUrl(benchDb);
execFileSync(process.execPath, ['bin/milap.js', 'migrate'], { env: { ...process.env, DATABASE_URL: dbUrl }, stdio: 'ignore' });
// The bench's own connections: users, tokens, the officers' pairs and the counts at the end.
const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
// The API is measured as a police system uses it: a bearer token of a national police user.
const benchUser = await createUser(pool, { username: 'bench.police', displayName: 'Bench', role: 'police', scope: 'national', password: 'bench password long' });
authorization = `Bearer ${(await issueToken(pool, benchUser.id, 'bench', 1)).token}`;

// The service runs as deployed, `milap serve` in its own process (the matching worker off: it is
// measured in bench/pipeline.ts), and the bare route in another, so that neither shares an event
// loop with autocannon.
const children: ChildProcess[] = [];
// A bench that fails midway still stops what it started.
process.on('exit', () => children.forEach((child) => child.kill('SIGTERM')));
async function serve(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, DATABASE_URL: dbUrl }, stdio: ['ignore', env.PORT ? 'inherit' : 'pipe', 'inherit'] });
  children.push(child);
  if (env.PORT) {
    const address = `http://127.0.0.1:${env.PORT}`;
    for (let tries = 0; !(await fetch(`${address}/ready`).then((r) => r.ok, () => false)); tries++) {
      if (tries > 300 || child.exitCode !== null) throw new Error(`${args.join(' ')} did not start`);
      await setTimeout(100);
    }
    return address;
  }
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return line.trim();
}
const port = 20000 + Math.floor(Math.random() * 20000);
const appAddress = await serve(['bin/milap.js', 'serve'], { PORT: String(port), WORKER: 'off', LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', MILAP_PHOTO_DIR: mkdtempSync(join(tmpdir(), 'milap-bench-photos-')) });
const bareAddress = await serve(['--import', 'tsx', 'bench/http-bare.ts'], {});

// Filing and the bare route take turns, round after round, so that each ratio compares two runs of
// the same minute on a shared machine (and on a table of about the same size).
const bareRuns: Awaited<ReturnType<typeof measure>>[] = [];
const filingRuns: typeof bareRuns = [];
for (let round = 0; round < rounds; round++) {
  bareRuns.push(await measure('bare INSERT route', `${bareAddress}/bare`, 'POST'));
  filingRuns.push(await measure('POST /api/v1/missing-reports', `${appAddress}/api/v1/missing-reports`, 'POST'));
}
const total = (runs: typeof bareRuns, of: (run: (typeof bareRuns)[number]) => number) => runs.reduce((sum, run) => sum + of(run), 0);
const combined = (runs: typeof bareRuns) => ({
  label: runs[0]!.label,
  reqPerSec: Number((total(runs, (run) => run.reqPerSec) / runs.length).toFixed(1)),
  p99Ms: Math.max(...runs.map((run) => run.p99Ms)),
  errors: total(runs, (run) => run.errors),
  ok: total(runs, (run) => run.ok),
  pgCpuMs: total(runs, (run) => run.pgCpuMs * run.ok) / Math.max(1, total(runs, (run) => run.ok)),
  serverCpuMs: total(runs, (run) => run.serverCpuMs * run.ok) / Math.max(1, total(runs, (run) => run.ok)),
});
const roundRatios = filingRuns.map((run, i) => run.reqPerSec / bareRuns[i]!.reqPerSec);
const rows = [combined(bareRuns), combined(filingRuns)];
// What autovacuum would have done after ten thousand new rows (it is off on some machines, and a
// planner without statistics may sort a whole state's reports to list fifty).
await pool.query('ANALYZE missing_report');
rows.push(await measure('GET /api/v1/missing-reports?limit=50', `${appAddress}/api/v1/missing-reports?limit=50`, 'GET'));
rows.push(await measure('GET ...?state=Jharkhand&limit=50', `${appAddress}/api/v1/missing-reports?state=Jharkhand&limit=50`, 'GET'));

// The review side: a matching officer (national) works a queue of candidate pairs. Found children
// and pairs are laid down in SQL (the matching itself is benchmarked in bench/pipeline.ts).
const officer = await createUser(pool, { username: 'bench.officer', displayName: 'Bench officer', role: 'matching_officer', scope: 'national', password: 'bench password long' });
const officerAuthorization = `Bearer ${(await issueToken(pool, officer.id, 'bench', 1)).token}`;
const child = fullFoundChild();
await pool.query(
  `INSERT INTO found_child (filing_unit, ref, record, event_date, state_code, district_id, created_by, updated_by)
   SELECT $1, 'BENCH-F-' || m.id, $2, $3, 'DL', 'DL-new-delhi', 'bench', 'bench' FROM missing_report m`,
  [child.institution, child, child.foundOn],
);
await pool.query(
  `INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
   SELECT missing_id, found_id, p, p, 0, 'bench', 1, 1
     FROM (SELECT m.id AS missing_id, f.id AS found_id, random() AS p FROM missing_report m JOIN found_child f ON f.ref = 'BENCH-F-' || m.id) pairs`,
);
await pool.query(`INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[]' FROM candidate_pair`);
const pending = (await pool.query<{ id: string }>(`SELECT id FROM candidate_pair ORDER BY random()`)).rows.map((row) => row.id);
rows.push(await measure('GET /api/v1/candidates (officer queue)', `${appAddress}/api/v1/candidates?state=pending&limit=25`, 'GET', officerAuthorization));
let nextPair = 0;
const decisions = ['reject', 'hold'] as const;
rows.push(
  await measure('POST /api/v1/candidates/:id/decision', `${appAddress}/api/v1/candidates`, 'POST', officerAuthorization, (request) => {
    const id = pending[nextPair++ % pending.length];
    return { ...request, path: `/api/v1/candidates/${id}/decision`, body: JSON.stringify({ decision: decisions[nextPair % 2], reason: 'bench: not the same child' }) };
  }),
);

const stored = await pool.query(`SELECT count(*)::int AS n FROM missing_report WHERE created_by = 'bench.police'`);
const jobs = await pool.query(`SELECT count(*)::int AS n FROM (${matchJobRecordsSql}) j`);
const decided = await pool.query(`SELECT count(*)::int AS n FROM candidate_decision`);
const bareRate = rows[0]!.reqPerSec;
console.log(`\n${connections} connections, ${seconds} s each, database ${benchDb} on ${new URL(dbUrl).host}; service and bare route each in its own process`);
console.table(rows.map((r) => ({ ...r, pgCpuMs: Number(r.pgCpuMs.toFixed(3)), serverCpuMs: Number(r.serverCpuMs.toFixed(3)), ratioToBare: Number((r.reqPerSec / bareRate).toFixed(2)) })));
console.log('pgCpuMs, serverCpuMs: CPU milliseconds per answered request, of PostgreSQL (all its processes) and of the server process');
const sortedRatios = [...roundRatios].sort((a, b) => a - b);
console.log(`filing / bare route, round by round: ${roundRatios.map((ratio) => ratio.toFixed(2)).join(', ')}; median ${sortedRatios[Math.floor(sortedRatios.length / 2)]!.toFixed(2)}`);
console.log(`reports stored through the API: ${stored.rows[0].n} (2xx answers: ${rows[1]!.ok}); records in queued match jobs: ${jobs.rows[0].n}`);
console.log(`decisions stored: ${decided.rows[0].n} (2xx answers: ${rows[5]!.ok}; pairs available: ${pending.length})`);
// A request still in flight when a run's clock stops is answered after autocannon stops counting:
// each write may have up to one such request per connection beyond its 2xx count, never fewer rows.
const settled = (rowsStored: number, answered: number, runs = 1) => rowsStored >= answered && rowsStored - answered <= connections * runs;
const lost = !settled(stored.rows[0].n, rows[1]!.ok, rounds) || jobs.rows[0].n !== stored.rows[0].n || !settled(decided.rows[0].n, rows[5]!.ok);
const errors = rows.reduce((sum, row) => sum + row.errors, 0);
console.log(lost || errors ? `FAILED: ${errors} errors; writes lost or doubled: ${lost}` : `no errors; every 2xx write is in the database (and at most one in-flight request per connection beyond them)`);
process.exitCode = lost || errors ? 1 : 0;

for (const child of children) {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
}
await pool.end();
await admin(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`);
