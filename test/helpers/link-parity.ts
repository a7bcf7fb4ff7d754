// What the parity tests share: waiting for the background matching to finish, and holding the
// stored pairs to those `milap link` gives on the same world.
import type pg from 'pg';
import { expect } from 'vitest';
import type { World } from '../../fixtures/synth/world.ts';
import { linkRecords } from '../../matchers/link.ts';

/**
 * No match job left, nor a record a re-match left due to have its pairs weighed, nor a re-match of
 * every record whose sweep has yet to weigh every pair (migrations/025): that sweep comes after its
 * last job, up to a worker's look later (workers.ts, reweighSweeper: at most one every 5 s), and until
 * it has weighed them its pairs hold the probabilities the load's jobs left.
 */
export async function drained(pool: pg.Pool): Promise<void> {
  for (;;) {
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM pgboss.job WHERE name = 'match' AND state IN ('created', 'retry', 'active'))
            + (SELECT count(*) FROM pair_reweigh_due) + (SELECT count(*) FROM pair_reweigh_every) AS n`,
    );
    if (Number(rows[0].n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Each found child's stored best ten pairs are those `milap link` gives her on the world's files, with the same probabilities to six places. */
export async function expectPairsOfLink(pool: pg.Pool, world: Pick<World, 'missing' | 'found'>): Promise<void> {
  const { rows } = await pool.query(
    `SELECT m.ref AS "missingRef", f.ref AS "foundRef", c.probability FROM candidate_pair c
       JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id`,
  );
  const service = new Map<string, { missingRef: string; probability: number }[]>();
  for (const row of rows) (service.get(row.foundRef) ?? service.set(row.foundRef, []).get(row.foundRef)!).push(row);
  const batch = new Map<string, { missingRef: string; probability: number }[]>();
  for (const pair of linkRecords(world.missing, world.found)) (batch.get(pair.foundRef) ?? batch.set(pair.foundRef, []).get(pair.foundRef)!).push(pair);
  expect(batch.size).toBeGreaterThan(10);
  for (const child of world.found) {
    const expected = (batch.get(child.ref) ?? []).map((p) => [p.missingRef, Number(p.probability.toFixed(6))]);
    const actual = (service.get(child.ref) ?? []).sort((a, b) => b.probability - a.probability).slice(0, 10).map((p) => [p.missingRef, Number(p.probability.toFixed(6))]);
    expect(JSON.stringify(actual), child.ref).toBe(JSON.stringify(expected));
  }
}
