// Hostile input: random JSON never gets a 500; injection and traversal strings are stored and served
// literally; oversized headers are refused; security headers are on and CORS stays closed.
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();

describe('random bodies', () => {
  it('no JSON body, however strange, gets a 500 from any write endpoint', async () => {
    const { id } = (await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: fullMissingReport() })).json();
    const targets: [string, string][] = [
      ['POST', '/api/v1/missing-reports'], ['POST', '/api/v1/found-children'], ['PATCH', `/api/v1/missing-reports/${id}`],
      ['POST', `/api/v1/missing-reports/${id}/status`], ['POST', '/api/v1/auth/login'], ['POST', '/api/v1/candidates/00000000-0000-4000-8000-000000000000/decision'],
    ];
    const nearlyRight = fc.record({ ...Object.fromEntries(Object.keys(fullMissingReport()).map((key) => [key, fc.jsonValue()])) }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.oneof(fc.jsonValue(), nearlyRight), async ([method, url], body) => {
        const answer = await t.inject({ method: method as 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        expect(answer.statusCode, `${method} ${url} ${JSON.stringify(body).slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe('injection and traversal strings', () => {
  it('are stored and read back literally', async () => {
    const strange = ["Robert'); DROP TABLE missing_report;--", '../../etc/passwd', '<script>alert(1)</script>', '%00\u0000?'.replace('\u0000', ''), 'ज़ैद‍ \u202Eابن'];
    for (const name of strange) {
      const child = fullFoundChild({ name, ref: `CCI-X-${Math.random()}`, description: name });
      const created = await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: child });
      expect(created.statusCode, name).toBe(201);
      const read = await t.inject({ method: 'GET', url: `/api/v1/found-children/${created.json().id}` });
      expect(read.json().record.name).toBe(name.trim());
    }
    const { rows } = await t.db.database.pool.query('SELECT count(*)::int AS n FROM missing_report');
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('a path-traversal photo id is refused, not followed', async () => {
    const { id } = (await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: fullFoundChild() })).json();
    const answer = await t.inject({ method: 'GET', url: `/api/v1/found-children/${id}/photos/..%2F..%2F..%2Fetc%2Fpasswd` });
    expect(answer.statusCode).toBe(400);
  });
});

describe('the HTTP edge', () => {
  it('sets security headers and sends no CORS grant to another origin', async () => {
    const answer = await t.inject({ method: 'GET', url: '/api/v1/missing-reports', headers: { origin: 'https://evil.example' } });
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['x-frame-options']).toBeDefined();
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/missing-reports', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses oversized headers', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/health', headers: { 'x-padding': 'a'.repeat(64 * 1024) } }, (response) => resolve(response.statusCode ?? 0));
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(431);
  });
});
