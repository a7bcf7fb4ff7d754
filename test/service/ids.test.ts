// New records and pairs get time-ordered ids (UUID version 7: src/db/ids.ts, migrations/019), made
// by the service or by the database, so that their index entries go where the newest are. A record
// filed, with or without an Idempotency-Key, and the pair its match job stores: each id says when
// it was made, and ids made later sort after it.
import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/db/ids.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();
const version = (id: string) => id[14];
const variantBits = (id: string) => parseInt(id[19]!, 16) >> 2;
const millisecondsOf = (id: string) => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('time-ordered ids', () => {
  it('carry their time in their first 48 bits, and sort by it', () => {
    const at = Date.UTC(2026, 11, 2, 4, 45, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(millisecondsOf(id)).toBe(at);
    expect(timeOrderedId(at + 1) > timeOrderedId(at)).toBe(true);
    expect(timeOrderedId(at - 1) < id).toBe(true);
    // Random after the time: ids of the same millisecond are distinct.
    expect(new Set(Array.from({ length: 1000 }, () => timeOrderedId(at))).size).toBe(1000);
  });

  it('are given to records filed and to the pairs matched, by the service and by the database alike', async () => {
    const before = Date.now();
    const reportId = await t.file('/api/v1/missing-reports', fullMissingReport());
    // With an Idempotency-Key the database's default makes the id (the filing is one transaction of its own).
    const answer = await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: fullFoundChild(), headers: { 'idempotency-key': `ids-${before}` } });
    expect(answer.statusCode, answer.body).toBe(201);
    const childId = answer.json().id as string;
    const engine = createEngine();
    await matchRecord(t.db.database.pool, engine, { floor: 0.001, topK: 10 }, { side: 'missing', id: reportId, version: 1 });
    await matchRecord(t.db.database.pool, engine, { floor: 0.001, topK: 10 }, { side: 'found', id: childId, version: 1 });
    const after = Date.now();
    const { rows } = await t.db.database.pool.query<{ id: string }>('SELECT id FROM candidate_pair WHERE missing_id = $1 AND found_id = $2', [reportId, childId]);
    expect(rows).toHaveLength(1);
    const pairId = rows[0]!.id;
    for (const id of [reportId, childId, pairId]) {
      expect(version(id), id).toBe('7');
      expect(variantBits(id), id).toBe(2);
      // The database's clock and this process's are the same machine's.
      expect(millisecondsOf(id), id).toBeGreaterThanOrEqual(before - 1000);
      expect(millisecondsOf(id), id).toBeLessThanOrEqual(after + 1000);
    }
    // And the API takes them back as the ids they are.
    expect((await t.inject({ method: 'GET', url: `/api/v1/missing-reports/${reportId}` })).json().id).toBe(reportId);
    expect((await t.inject({ method: 'GET', url: `/api/v1/found-children/${childId}` })).json().id).toBe(childId);
    const pair = await t.inject({ method: 'GET', url: `/api/v1/candidates/${pairId}` });
    expect(pair.statusCode, pair.body).toBe(200);
    const times = [reportId, childId, pairId].map(millisecondsOf);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
