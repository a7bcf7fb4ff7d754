// Fault drills against the local PostgreSQL server, each printing what it checked:
//   1. the match worker killed with SIGKILL in the middle of its jobs: after a restart every record
//      is matched at its current version, with no duplicate pairs;
//   2. PostgreSQL restarted while requests flow: the service answers 503 meanwhile, recovers by
//      itself, and the rows in the database equal the 201 answers;
//   3. a client retrying with the same Idempotency-Key across a crash: exactly one record.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/faults.ts
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { issueToken } from '../src/access/credentials.ts';
import { createUser } from '../src/access/users.ts';
import { fullFoundChild, fullMissingReport } from '../test/helpers/people.ts';
import { admin, databaseUrl } from './db.ts';

const dbName = 'milap_faults';
const dbUrl = databaseUrl(dbName);
const port = 3900 + Math.floor(Math.random() * 90);
const api = `http://127.0.0.1:${port}`;
let token = '';
const checks: [string, boolean, string][] = [];

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function milap(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['bin/milap.js', ...args], { env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function until(what: () => Promise<boolean>, timeoutMs = 120_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (!(await what().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const ready = () => until(async () => (await fetch(`${api}/ready`)).ok);
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, body: JSON.stringify(body) });

async function setUp() {
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${dbName}`);
  execSync('node bin/milap.js migrate', { env: { ...process.env, DATABASE_URL: dbUrl }, stdio: 'ignore' });
  const pool = new pg.Pool({ connectionString: dbUrl });
  const tokenOf = async (role: 'police' | 'shelter') => {
    const user = await createUser(pool, { username: `drill.${role}`, displayName: `Drill ${role}`, role, scope: 'national', password: 'drill password, long enough' });
    return (await issueToken(pool, user.id, 'fault drill', 1)).token;
  };
  token = await tokenOf('police');
  shelterToken = await tokenOf('shelter');
  await pool.end();
}
let shelterToken = '';

async function workerKilledMidJob() {
  // The records are filed with the worker off, so that the kill finds it busy with its first jobs.
  let server = milap(['serve'], { WORKER: 'off' });
  await ready();
  for (let i = 0; i < 150; i++) {
    await post('/api/v1/missing-reports', fullMissingReport());
    await fetch(`${api}/api/v1/found-children`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${shelterToken}` }, body: JSON.stringify(fullFoundChild()) });
  }
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  server = milap(['serve']);
  await until(async () => (await query<{ n: number }>('SELECT count(*)::int AS n FROM match_subject'))[0]!.n > 20, 120_000, 20);
  server.kill('SIGKILL');
  await new Promise((resolve) => server.on('exit', resolve));
  const [{ before, active }] = (await query<{ before: number; active: number }>(
    `SELECT (SELECT count(*)::int FROM match_subject) AS before, (SELECT count(*)::int FROM pgboss.job WHERE name = 'match' AND state = 'active') AS active`,
  )) as [{ before: number; active: number }];
  const restarted = performance.now();
  server = milap(['serve']);
  await ready();
  await until(async () => {
    const [row] = await query<{ unmatched: number }>(`
      SELECT (SELECT count(*) FROM missing_report r LEFT JOIN match_subject s ON s.side = 'missing' AND s.record_id = r.id AND s.version = r.version WHERE s.record_id IS NULL)
           + (SELECT count(*) FROM found_child r LEFT JOIN match_subject s ON s.side = 'found' AND s.record_id = r.id AND s.version = r.version WHERE s.record_id IS NULL) AS unmatched`);
    return Number(row!.unmatched) === 0;
  }, 300_000);
  const seconds = ((performance.now() - restarted) / 1000).toFixed(1);
  checks.push(['worker killed with SIGKILL mid-job: every record matched after restart', true, `${before} of 300 matched before the kill with ${active} jobs taken, 300 ${seconds} s after the restart`]);
  const [dupes] = await query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT missing_id, found_id FROM candidate_pair GROUP BY 1, 2 HAVING count(*) > 1) d');
  checks.push(['... and no duplicate pairs', dupes!.n === 0, `${dupes!.n} duplicated pairs`]);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
}

async function postgresRestart() {
  const server = milap(['serve'], { WORKER: 'off' });
  await ready();
  const [{ n: start }] = (await query<{ n: number }>('SELECT count(*)::int AS n FROM missing_report')) as [{ n: number }];
  const statuses = new Map<number, number>();
  let created = 0;
  let running = true;
  const flow = (async () => {
    while (running) {
      const answer = await post('/api/v1/missing-reports', fullMissingReport()).catch(() => null);
      const status = answer?.status ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 201) created++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  execSync(`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n 1) main restart`, { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  running = false;
  await flow;
  const recovered = (await post('/api/v1/missing-reports', fullMissingReport())).status;
  if (recovered === 201) created++;
  const [{ n: end }] = (await query<{ n: number }>('SELECT count(*)::int AS n FROM missing_report')) as [{ n: number }];
  const seen = [...statuses.entries()].map(([status, count]) => `${status}: ${count}`).join(', ');
  checks.push(['PostgreSQL restarted mid-flow: only 201 and 503 answers', [...statuses.keys()].every((s) => s === 201 || s === 503), seen]);
  checks.push(['... the service recovered without a restart of its own', recovered === 201, `first request after: ${recovered}`]);
  checks.push(['... rows stored equal the 201 answers', end - start === created, `${end - start} rows, ${created} answers 201`]);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
}

async function idempotentRetryAcrossCrash() {
  let server = milap(['serve'], { WORKER: 'off' });
  await ready();
  const report = fullMissingReport();
  const key = `crash-${randomUUID()}`;
  const first = post('/api/v1/missing-reports', report, { 'idempotency-key': key }).catch(() => null);
  await new Promise((resolve) => setTimeout(resolve, 5));
  server.kill('SIGKILL');
  await first;
  await new Promise((resolve) => server.on('exit', resolve));
  server = milap(['serve'], { WORKER: 'off' });
  await ready();
  const answers = await Promise.all([1, 2, 3].map(() => post('/api/v1/missing-reports', report, { 'idempotency-key': key })));
  const [{ n }] = (await query<{ n: number }>('SELECT count(*)::int AS n FROM missing_report WHERE ref = $1', [report.ref])) as [{ n: number }];
  checks.push(['retries with one Idempotency-Key across a crash: exactly one record', n === 1 && answers.every((a) => a.status === 201), `${n} record(s); answers ${answers.map((a) => a.status).join(', ')}`]);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
}

await setUp();
await workerKilledMidJob();
await postgresRestart();
await idempotentRetryAcrossCrash();
for (const [what, ok, detail] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what} (${detail})`);
await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
