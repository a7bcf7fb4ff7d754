// Duplicates within one side, found by the match job and settled by officers. A merge marks the
// merged record (`merged_into`, a new version saying why) so it leaves matching, and keeps its
// history, its pairs and their decisions; an unmerge is its own decision that puts it back.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { keyLimit } from '../../matchers/blocking.ts';
import { duplicateFloor } from '../../matchers/duplicates.ts';
import type { RecordPlace } from '../access/jurisdiction.ts';
import { containsSql, type Jurisdiction } from '../access/jurisdiction.ts';
import { withTransaction } from '../db/database.ts';
import { conflict, HttpError, notFound } from '../http/errors.ts';
import { sendMatchJob } from '../jobs/queue.ts';
import type { Queryable, StoredRecord } from '../records/repository.ts';
import * as repository from '../records/repository.ts';
import { sides, type ChildRecord } from '../records/sides.ts';
import type { MatchEngine, Subject } from './engine.ts';
import { inWindow } from './store.ts';

type Side = 'missing' | 'found';
const tableOf = { missing: 'missing_report', found: 'found_child' } as const;

/** How many possible duplicates each record keeps before an officer. */
const duplicatesPerRecord = 5;

export const duplicateStates = ['pending', 'merged', 'not_duplicate'] as const;
export const duplicateDecisions = ['merge', 'not_duplicate', 'unmerge'] as const;
export type DuplicateDecision = (typeof duplicateDecisions)[number];

/**
 * Active records of the same side sharing a blocking key with this one that the key rule admits
 * (a key carried by too many records of the side, within the age window, admits nobody).
 */

async function sameSidePartners(db: Queryable, side: Side, id: string, keys: string[]) {
  const { rows } = await db.query<{ id: string; version: number; record: Record<string, unknown> }>(
    `WITH me AS (SELECT born_from, born_to FROM match_subject WHERE side = $1 AND record_id = $2),
     admitted AS MATERIALIZED (
       -- As for candidate pairs: a key admits when at most its limit of other records carry it within
       -- the age window, counted no further than one past the limit.
       SELECT l.key FROM unnest($3::text[], $4::int[]) AS l(key, lim), me
        WHERE (SELECT count(*) FROM (
                 SELECT 1 FROM match_key k
                  WHERE k.side = $1 AND k.key = l.key AND k.active AND k.record_id <> $2 AND ${inWindow('k', 'me')} LIMIT l.lim + 1) AS within) <= l.lim
     )
     SELECT r.id, r.version, r.record FROM ${tableOf[side]} r
      WHERE r.id IN (
        SELECT k.record_id FROM match_key k, me
         WHERE k.side = $1 AND k.key IN (SELECT key FROM admitted) AND k.active AND k.record_id <> $2 AND ${inWindow('k', 'me')})`,
    [side, id, keys, keys.map(keyLimit)],
  );
  return rows;
}

/** Re-scores the record's possible duplicates: new ones above the floor are proposed, stale proposals dropped. */
export async function refreshDuplicates(tx: pg.PoolClient, engine: MatchEngine, subject: Subject): Promise<number> {
  const partners = await sameSidePartners(tx, subject.side, subject.id, subject.keys);
  const scored = partners
    .map((partner) => ({ partner, score: engine.scoreDuplicate(subject, engine.prepare(subject.side, partner.id, partner.version, partner.record as unknown as ChildRecord)) }))
    .filter(({ score }) => score.probability >= duplicateFloor)
    .sort((x, y) => y.score.probability - x.score.probability)
    .slice(0, duplicatesPerRecord);
  const kept: string[] = [];
  for (const { partner, score } of scored.sort((x, y) => (x.partner.id < y.partner.id ? -1 : 1))) {
    const [a, b] = subject.id < partner.id ? [subject.id, partner.id] : [partner.id, subject.id];
    kept.push(`${a}:${b}`);
    await tx.query(
      `INSERT INTO duplicate_pair (side, record_a, record_b, probability, match_weight, explanation, model_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (side, record_a, record_b) DO UPDATE SET probability = $4, match_weight = $5, explanation = $6, model_version = $7, updated_at = clock_timestamp()`,
      [subject.side, a, b, score.probability, score.matchWeight, JSON.stringify(score.explanation), engine.modelVersion],
    );
  }
  await tx.query(
    `DELETE FROM duplicate_pair WHERE side = $1 AND state = 'pending' AND (record_a = $2 OR record_b = $2)
        AND NOT ((record_a::text || ':' || record_b::text) = ANY($3::text[]))`,
    [subject.side, subject.id, kept],
  );
  return kept.length;
}

export interface DuplicatePair {
  id: string;
  side: Side;
  state: string;
  probability: number;
  matchWeight: number;
  explanation: { comparison: string; level: string; weight: number }[];
  keptId: string | null;
  mergedId: string | null;
  a: StoredRecord;
  b: StoredRecord;
}

export interface DuplicateFilter {
  side?: Side | undefined;
  state?: string | undefined;
  jurisdiction?: Jurisdiction | undefined;
  limit: number;
  after?: { probability: number; id: string } | undefined;
}

export async function listDuplicates(pool: pg.Pool, filter: DuplicateFilter) {
  const results: { id: string; side: Side; state: string; probability: number; a: { id: string; ref: string }; b: { id: string; ref: string } }[] = [];
  for (const side of filter.side ? [filter.side] : (['missing', 'found'] as const)) {
    const values: unknown[] = [side];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where = ['d.side = $1'];
    if (filter.state) where.push(`d.state = ${param(filter.state)}`);
    if (filter.jurisdiction) where.push(`(${containsSql(filter.jurisdiction, 'a', param)} OR ${containsSql(filter.jurisdiction, 'b', param)})`);
    if (filter.after) where.push(`(d.probability, d.id) < (${param(filter.after.probability)}::float8, ${param(filter.after.id)}::uuid)`);
    const { rows } = await pool.query(
      `SELECT d.id, d.side, d.state, d.probability, json_build_object('id', a.id, 'ref', a.ref) AS a, json_build_object('id', b.id, 'ref', b.ref) AS b
         FROM duplicate_pair d JOIN ${tableOf[side]} a ON a.id = d.record_a JOIN ${tableOf[side]} b ON b.id = d.record_b
        WHERE ${where.join(' AND ')}
        ORDER BY d.probability DESC, d.id DESC LIMIT ${param(filter.limit)}`,
      values,
    );
    results.push(...rows);
  }
  return results.sort((x, y) => y.probability - x.probability || (x.id < y.id ? 1 : -1)).slice(0, filter.limit);
}

async function lockPair(db: Queryable, id: string, lock: boolean) {
  const { rows } = await db.query<{ id: string; side: Side; state: string; recordA: string; recordB: string; keptId: string | null; mergedId: string | null }>(
    `SELECT id, side, state, record_a AS "recordA", record_b AS "recordB", kept_id AS "keptId", merged_id AS "mergedId"
       FROM duplicate_pair WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function getDuplicate(pool: pg.Pool, id: string, guard: (a: RecordPlace, b: RecordPlace) => void): Promise<DuplicatePair & { decisions: unknown[] }> {
  const pair = await lockPair(pool, id, false);
  if (!pair) throw notFound('duplicate pair');
  const side = sides[pair.side];
  const [a, b] = await Promise.all([repository.findRecord(pool, side, pair.recordA), repository.findRecord(pool, side, pair.recordB)]);
  guard(a!, b!);
  const { rows } = await pool.query(
    `SELECT probability, match_weight AS "matchWeight", explanation FROM duplicate_pair WHERE id = $1`,
    [id],
  );
  const { rows: decisions } = await pool.query(
    `SELECT d.decision, d.reason, d.from_state AS "fromState", d.to_state AS "toState", d.kept_id AS "keptId", d.merged_id AS "mergedId",
            u.username AS "decidedBy", to_char(d.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "decidedAt"
       FROM duplicate_decision d JOIN app_user u ON u.id = d.decided_by WHERE d.duplicate_id = $1 ORDER BY d.id`,
    [id],
  );
  return { id: pair.id, side: pair.side, state: pair.state, keptId: pair.keptId, mergedId: pair.mergedId, ...rows[0], a: a!, b: b!, decisions };
}

export interface DuplicateDecisionContext {
  pool: pg.Pool;
  boss: PgBoss;
  guard: (a: RecordPlace, b: RecordPlace) => void;
}

/**
 * merge: `keep` stays, the other record is marked merged into it (a new version with the reason)
 * and leaves matching; not_duplicate: the two are different children; unmerge: undoes a merge.
 */
export async function decideDuplicate(
  ctx: DuplicateDecisionContext,
  id: string,
  decision: DuplicateDecision,
  reason: string,
  actor: { id: string; username: string },
  keep?: string,
) {
  return withTransaction(ctx.pool, async (tx) => {
    const pair = await lockPair(tx, id, true);
    if (!pair) throw notFound('duplicate pair');
    const side = sides[pair.side];
    // Both records locked in id order (record_a < record_b), as every writer of two records does.
    const a = await repository.findRecord(tx, side, pair.recordA, true);
    const b = await repository.findRecord(tx, side, pair.recordB, true);
    ctx.guard(a!, b!);
    let to: string;
    let keptId: string | null = null;
    let mergedId: string | null = null;
    if (decision === 'merge') {
      if (pair.state !== 'pending') throw conflict(`a ${pair.state} pair cannot be merged`, { state: pair.state });
      if (keep !== pair.recordA && keep !== pair.recordB) {
        throw new HttpError(400, 'invalid_request', 'keep must be the id of one of the two records', { problems: [{ field: 'keep', reason: 'must be one of the two records' }] });
      }
      const [kept, merged] = keep === pair.recordA ? [a!, b!] : [b!, a!];
      if (kept.mergedInto || merged.mergedInto) throw conflict('one of these records is already merged into another; undo that first');
      await markMerged(tx, ctx, pair.side, merged, kept.id, reason, actor.username);
      [to, keptId, mergedId] = ['merged', kept.id, merged.id];
    } else if (decision === 'unmerge') {
      if (pair.state !== 'merged') throw conflict(`a ${pair.state} pair has no merge to undo`, { state: pair.state });
      const merged = pair.mergedId === a!.id ? a! : b!;
      await markMerged(tx, ctx, pair.side, merged, null, reason, actor.username);
      [to, keptId, mergedId] = ['pending', pair.keptId, pair.mergedId];
    } else {
      if (pair.state !== 'pending') throw conflict(`a ${pair.state} pair cannot be marked not a duplicate`, { state: pair.state });
      to = 'not_duplicate';
    }
    await tx.query(
      `UPDATE duplicate_pair SET state = $2, kept_id = $3, merged_id = $4, updated_at = clock_timestamp() WHERE id = $1`,
      [id, to, to === 'merged' ? keptId : null, to === 'merged' ? mergedId : null],
    );
    const { rows } = await tx.query(
      `INSERT INTO duplicate_decision (duplicate_id, decision, reason, from_state, to_state, kept_id, merged_id, decided_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING decision, reason, from_state AS "fromState", to_state AS "toState", kept_id AS "keptId", merged_id AS "mergedId"`,
      [id, decision, reason, pair.state, to, keptId, mergedId, actor.id],
    );
    return rows[0];
  });
}

/** Sets or clears `merged_into` as a new version of the record, and queues its match job (it leaves or re-enters matching). */
async function markMerged(tx: pg.PoolClient, ctx: DuplicateDecisionContext, side: Side, record: StoredRecord, into: string | null, reason: string, actor: string) {
  const { rows } = await tx.query<StoredRecord>(
    `UPDATE ${tableOf[side]} SET merged_into = $2, version = version + 1, updated_at = clock_timestamp(), updated_by = $3
      WHERE id = $1 RETURNING id, version, status, record, updated_by AS "updatedBy"`,
    [record.id, into, actor],
  );
  const stored = rows[0]!;
  await repository.insertVersion(tx, sides[side], stored, into ? 'merged' : 'unmerged', [], reason);
  await sendMatchJob(ctx.boss, tx, { side, id: stored.id, version: stored.version });
}
