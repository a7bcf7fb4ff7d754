// `milap serve` as a process: refuses bad configuration by name, answers /health and /ready, files
// a record, and on SIGTERM finishes what is in flight and exits cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModel } from '../../matchers/model.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fullMissingReport } from '../helpers/people.ts';

let db: TestDatabase | null = null;
beforeAll(async () => {
  if (process.env.DATABASE_URL) db = await createTestDatabase();
});
afterAll(async () => db?.close());

function serverEnv(port: number): NodeJS.ProcessEnv {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'milap-serve-')), 'data');
  return { ...process.env, PORT: String(port), LOG_LEVEL: 'info', MATCH_KEYS_IN_MEMORY: 'on', ...(db ? { DATABASE_URL: db.url! } : { DATABASE_URL: '', MILAP_DATA_DIR: dataDir }) };
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('milap serve', () => {
  it('a bad configuration value stops start with a message naming it', () => {
    const run = spawnSync(process.execPath, ['bin/milap.js', 'serve'], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('PORT');
  });

  it('serves, files a record, and shuts down gracefully on SIGTERM', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, ['bin/milap.js', 'serve'], { env: serverEnv(port), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      expect((await waitFor(`${base}/health`)).status).toBe(200);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status, await ready.clone().text()).toBe(200);
      expect(await ready.json()).toMatchObject({ database: 'ok', queue: 'ok', modelVersion: defaultModel.version });
      // First start: the one-time set-up token is printed to the console, and it makes the first admin.
      const setupToken = output.match(/setup_[A-Za-z0-9_-]+/)?.[0];
      expect(setupToken).toBeDefined();
      const json = { 'content-type': 'application/json' };
      const admin = { username: 'first.admin', displayName: 'First Admin', role: 'admin', scope: 'national', password: 'a long first password' };
      expect((await fetch(`${base}/api/v1/auth/setup`, { method: 'POST', headers: json, body: JSON.stringify({ ...admin, setupToken }) })).status).toBe(201);
      const signIn = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: admin.username, password: admin.password }) });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = (await signIn.json()) as { csrfToken: string };
      const asAdmin = { ...json, cookie, 'x-csrf-token': csrfToken };
      const police = (await (await fetch(`${base}/api/v1/users`, { method: 'POST', headers: asAdmin, body: JSON.stringify({ username: 'si.test', displayName: 'SI Test', role: 'police', scope: 'national', password: 'another long password' }) })).json()) as { id: string };
      const { token } = (await (await fetch(`${base}/api/v1/tokens`, { method: 'POST', headers: asAdmin, body: JSON.stringify({ userId: police.id, name: 'test', days: 1 }) })).json()) as { token: string };
      const report = fullMissingReport();
      const filed = await fetch(`${base}/api/v1/missing-reports`, { method: 'POST', headers: { ...json, authorization: `Bearer ${token}` }, body: JSON.stringify(report) });
      expect(filed.status).toBe(201);
      expect((await fetch(`${base}/docs/json`, { headers: { cookie } })).status).toBe(200);
      // The worker prepared nothing when it started (no records yet); matching the report prepares it.
      expect(output).toContain("records still looked for prepared for matching, and every record's keys read into memory");
      let metrics = '';
      for (const deadline = Date.now() + 20_000; Date.now() < deadline && !/^milap_match_jobs_processed_total 1$/m.test(metrics); ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        metrics = await (await fetch(`${base}/metrics`, { headers: { cookie } })).text();
      }
      expect(metrics).toMatch(/^milap_match_jobs_processed_total 1$/m);
      expect(metrics).toMatch(/^milap_match_prepared_records 1$/m);
      expect(metrics).toMatch(/^milap_match_keys_in_memory_records 1$/m); // searched in memory: its keys are there
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
    // Logs carry no names, phone numbers, addresses or secrets.
    expect(output).not.toContain('Lakshmi');
    expect(output).not.toContain('a long first password');
    // The phone number as filed (its digits alone also turn up in a response time, 26.596298000000388).
    expect(output).not.toContain('98000 00000');
    expect(output).not.toContain('Lane 4');
  });
});
