// Duplicates within one side, found by the match job and settled by officers. A merge marks the
// merged record (`merged_into`, a new version saying why) so it leaves matching, and keeps its
// history, its pairs and their decisions; an unmerge is its own decision that puts it back.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { duplicateFloor, duplicatesPerRecord } from '../../matchers/duplicates.ts';
import type { RecordPlace } from '../access/jurisdiction.ts';
import { containsSql, type Jurisdiction } from '../access/jurisdiction.ts';
import { withTransaction } from '../db/database.ts';
import { preparedQuery } from '../db/prepared.ts';
import { conflict, HttpError, notFound } from '../http/errors.ts';
import { sendMatchJob } from '../jobs/queue.ts';
import type { Queryable, StoredRecord } from '../records/repository.ts';
import * as repository from '../records/repository.ts';
import { sides } from '../records/sides.ts';
import type { Explanation, MatchEngine, Subject } from './engine.ts';
import type { LiveKeyIndex } from '../../matchers/live-index.ts';
import { liveQueryOf } from './live-keys.ts';
import { explanationOfStored, inWindow, preparedPartners, storedExplanationOf, subjectInputs, subjectParams, type StoredExplanation } from './store.ts';

type Side = 'missing' | 'found';
const tableOf = { missing: 'missing_report', found: 'found_child' } as const;

export const duplicateStates = ['pending', 'merged', 'not_duplicate'] as const;
export const duplicateDecisions = ['merge', 'not_duplicate', 'unmerge'] as const;
export type DuplicateDecision = (typeof duplicateDecisions)[number];

/** A partner of the same side, at a version, and the records being matched it is a partner of. */
interface SameSidePartner {
  id: string;
  version: number;
  subjects: string[];
}

/**
 * Active records of the same side sharing a blocking key with each of these records that the key
 * rule admits (a key carried by too many records of the side, within the age window, admits
 * nobody), searched in one statement (until the worker holds the keys in memory: refreshDuplicates):
 * each partner once, with the records it is a partner of.
 */
async function sameSidePartners(db: Queryable, side: Side, subjects: readonly Pick<Subject, 'id' | 'keys' | 'narrowing'>[]): Promise<SameSidePartner[]> {
  const { rows } = await db.query<SameSidePartner>(
    `WITH ${subjectInputs(2)},
     admitted AS MATERIALIZED (
       -- As for candidate pairs: a key admits when at most its limit of other records carry it within
       -- the age window, counted no further than one past the limit.
       SELECT l.subject, l.key FROM l JOIN me USING (subject)
        WHERE (SELECT count(*) FROM (
                 SELECT 1 FROM match_key k
                  WHERE k.side = $1 AND k.key = l.key AND k.active AND k.record_id <> l.subject AND ${inWindow('k', 'me')} LIMIT l.lim + 1) AS within) <= l.lim
     ),
     hits AS (
       SELECT DISTINCT a.subject, k.record_id FROM admitted a JOIN me USING (subject)
         JOIN match_key k ON k.side = $1 AND k.key = a.key AND k.active AND k.record_id <> a.subject AND ${inWindow('k', 'me')}
     )
     SELECT r.id, r.version, array_agg(h.subject) AS subjects
       FROM hits h JOIN ${tableOf[side]} r ON r.id = h.record_id GROUP BY r.id`,
    [side, ...subjectParams(subjects)],
  );
  return rows;
}

/**
 * Re-scores these records' possible duplicates (records of one side): new ones above the floor are
 * proposed, stale proposals dropped. Returns how many each record keeps. A key closed for good
 * (`closed`, store.ts TooCommonKeys; the keys in memory know them too) admits none: such a key is
 * carried by hundreds of reports, and its rows are no longer written.
 *
 * `every`: the records are of a re-match of every record (match-job.ts, Reweigh), whose jobs weigh
 * each possible duplicate once, where the worker holds the keys in memory: a pair both records' searches
 * admit (nearly nine in ten) from the record with the smaller id, one only one search admits from
 * that record. Every pair above the floor is kept, and a worker's sweep keeps each record's best few
 * (store.ts, reweighEveryPair); a record's proposal is dropped only when its job weighed it under the
 * floor, or neither record's search admits the other.
 */
export async function refreshDuplicates(tx: pg.PoolClient, engine: MatchEngine, subjects: readonly Subject[], index: LiveKeyIndex | null = null, closed: { has(key: string): boolean } = { has: () => false }, every = false): Promise<Map<string, number>> {
  // Each pair once only with the keys in memory, which can say whether the partner's search admits the record.
  const once = every && index !== null;
  const kept = new Map(subjects.map((subject) => [subject.id, 0]));
  if (!subjects.length) return kept;
  const side = subjects[0]!.side;
  const byId = new Map(subjects.map((subject) => [subject.id, subject]));
  type Score = NonNullable<ReturnType<MatchEngine['scoreDuplicate']>>;
  const scored = new Map<string, { partner: Subject; score: Score }[]>();
  // Compared without photos (the photo comparison is the pair's, across the sides).
  const weigh = (subject: Subject, partner: Subject) => {
    const score = engine.scoreDuplicate(subject, partner, duplicateFloor);
    if (score && score.probability >= duplicateFloor) (scored.get(subject.id) ?? scored.set(subject.id, []).get(subject.id)!).push({ partner, score });
  };
  let unprepared: SameSidePartner[];
  if (index) {
    // The worker's keys in memory (live-keys.ts) by the same rule, each partner at the version they
    // hold, weighed at once when the worker has it prepared: gathering every partner of a job's records
    // by id first (to read each unprepared body once) built two Maps of them a job (a report's search
    // admits about 120 at national scale, a job's 32 records some thousands).
    const unread = new Map<string, SameSidePartner>();
    for (const subject of subjects) {
      // With `once`, less the partners whose job weighs the pair: their search admits this record, and
      // their id is the smaller. Their search by the keys the worker holds for them, derived by this
      // code (live-keys.ts), as their job's is.
      for (const { id, version } of index.sameSide(side, liveQueryOf(subject), once)) {
        const partner = engine.cached(side, id, version);
        if (partner) weigh(subject, partner);
        else (unread.get(id) ?? unread.set(id, { id, version, subjects: [] }).get(id)!).subjects.push(subject.id);
      }
    }
    unprepared = [...unread.values()];
  } else {
    unprepared = await sameSidePartners(tx, side, subjects.map((subject) => ({ id: subject.id, narrowing: subject.narrowing, keys: subject.keys.filter((key) => !closed.has(key)) })));
  }
  const prepared = await preparedPartners(tx, engine, side, unprepared);
  for (const row of unprepared) {
    const partner = prepared.get(row.id);
    if (!partner) continue;
    for (const id of row.subjects) weigh(byId.get(id)!, partner);
  }
  // Each record's best few (ties by id: whatever order the search found them in), or with `once` all
  // of them; a pair two records of this batch both keep is written once.
  const writes = new Map<string, { a: string; b: string; score: Score }>();
  for (const [id, list] of scored) {
    const best = list.sort((x, y) => y.score.probability - x.score.probability || (x.partner.id < y.partner.id ? -1 : 1));
    kept.set(id, Math.min(best.length, duplicatesPerRecord));
    for (const { partner, score } of once ? best : best.slice(0, duplicatesPerRecord)) {
      const [a, b] = id < partner.id ? [id, partner.id] : [partner.id, id];
      if (!writes.has(`${a}:${b}`)) writes.set(`${a}:${b}`, { a, b, score });
    }
  }
  const ids = subjects.map((subject) => subject.id);
  // With `once`, a proposal no job of the re-match weighs again is stale: weighed here under the floor,
  // or not admitted by either record's search. One another search admits is that record's job's, done
  // or to come: it stays. The record whose job weighs the pair, as the searches above leave it: the
  // one with the smaller id if its search admits the other, else the other if its search admits the
  // first. Asked again for the few stored pairs, not remembered for every one weighed.
  const stays = once ? (pair: { recordA: string; recordB: string }) => {
    const [x, y] = pair.recordA < pair.recordB ? [pair.recordA, pair.recordB] : [pair.recordB, pair.recordA];
    const weigher = index!.sameSideAdmits(side, x, y) ? x : index!.sameSideAdmits(side, y, x) ? y : null;
    return weigher !== null && !byId.has(weigher);
  } : undefined;
  await storeDuplicates(tx, side, ids, [...writes.values()], engine.modelVersion, stays);
  return kept;
}

/** A possible duplicate to store: `a` the record with the smaller id. */
export interface DuplicateWrite {
  a: string;
  b: string;
  score: { probability: number; matchWeight: number; explanation: Explanation };
}

/**
 * Stores these records' possible duplicates as a match job weighed them: `writes` inserted or
 * updated, and the records' other pending proposals deleted, but those `stays` keeps (a re-match's
 * pair another record's job weighs). Every proposal of these records is locked first, at once and in
 * id order, as every job that stores duplicates locks them: written first and deleted after, in two
 * orders, two jobs whose records shared partners could each hold a pair the other wanted next (a
 * deadlock, one job failed and retried). Every pair written is a pair of these records, so nothing
 * after the lock waits for a pair another job stores but a new one it inserts, and those are inserted
 * in one order too. Only proposals it locked are deleted: one another job stored meanwhile (for a
 * record this job's search had not yet seen) is that job's, and stays.
 */
export async function storeDuplicates(
  tx: Queryable,
  side: Side,
  ids: readonly string[],
  writes: readonly DuplicateWrite[],
  modelVersion: string,
  stays: (pair: { recordA: string; recordB: string }) => boolean = () => false,
): Promise<void> {
  // Found through each record index in turn, then locked by id: asked for as one OR, the planner read
  // every pending pair of the side by the queue's index (26 ms at 9,000 pairs); joined back to the
  // table by id, a job took 17.9 ms at national scale (729 s of the database's time in a re-match,
  // 2026-12-06), by a plan not seen at smaller scales. An array of ids leaves the planner one way in.
  const { rows: mine } = await tx.query<{ id: string; recordA: string; recordB: string; state: string }>(preparedQuery(
    `SELECT id, record_a AS "recordA", record_b AS "recordB", state FROM duplicate_pair
      WHERE id = ANY(ARRAY(SELECT id FROM duplicate_pair WHERE side = $1 AND record_a = ANY($2::uuid[])
                           UNION ALL
                           SELECT id FROM duplicate_pair WHERE side = $1 AND record_b = ANY($2::uuid[])))
      ORDER BY id FOR UPDATE`,
    [side, ids],
  ));
  const ordered = [...writes].sort((x, y) => (x.a + x.b < y.a + y.b ? -1 : 1));
  if (ordered.length) {
    await tx.query(preparedQuery(
      `INSERT INTO duplicate_pair (side, record_a, record_b, probability, match_weight, explanation, model_version)
       SELECT $1, d.a, d.b, d.p, d.weight, d.explanation::json, $7
         FROM unnest($2::uuid[], $3::uuid[], $4::float8[], $5::float8[], $6::text[]) WITH ORDINALITY AS d(a, b, p, weight, explanation, n)
        ORDER BY d.n
       ON CONFLICT (side, record_a, record_b) DO UPDATE SET probability = excluded.probability, match_weight = excluded.match_weight,
         explanation = excluded.explanation, model_version = excluded.model_version, updated_at = clock_timestamp()
         -- A pair scored as it is stored (a full re-match meets it from both its records) is not written again.
         WHERE (duplicate_pair.probability, duplicate_pair.match_weight, duplicate_pair.model_version, duplicate_pair.explanation::text)
           IS DISTINCT FROM (excluded.probability, excluded.match_weight, excluded.model_version, excluded.explanation::text)`,
      [side, ordered.map((d) => d.a), ordered.map((d) => d.b), ordered.map((d) => d.score.probability), ordered.map((d) => d.score.matchWeight),
        ordered.map((d) => storedExplanationOf(d.score.explanation)), modelVersion],
    ));
  }
  const written = new Set(ordered.map((d) => `${d.a}:${d.b}`));
  const stale = mine.filter((pair) => pair.state === 'pending' && !written.has(`${pair.recordA}:${pair.recordB}`) && !stays(pair));
  if (stale.length) await tx.query(preparedQuery(`DELETE FROM duplicate_pair WHERE id = ANY($1::uuid[])`, [stale.map((pair) => pair.id)]));
}

export interface DuplicatePair {
  id: string;
  side: Side;
  state: string;
  probability: number;
  matchWeight: number;
  explanation: Explanation;
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
  const { rows } = await pool.query<{ probability: number; matchWeight: number; explanation: StoredExplanation }>(
    `SELECT probability, match_weight AS "matchWeight", explanation FROM duplicate_pair WHERE id = $1`,
    [id],
  );
  const scored = rows[0];
  if (!scored) throw notFound('duplicate pair');
  const { rows: decisions } = await pool.query(
    `SELECT d.decision, d.reason, d.from_state AS "fromState", d.to_state AS "toState", d.kept_id AS "keptId", d.merged_id AS "mergedId",
            u.username AS "decidedBy", to_char(d.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "decidedAt"
       FROM duplicate_decision d JOIN app_user u ON u.id = d.decided_by WHERE d.duplicate_id = $1 ORDER BY d.id`,
    [id],
  );
  return { id: pair.id, side: pair.side, state: pair.state, keptId: pair.keptId, mergedId: pair.mergedId, ...scored, explanation: explanationOfStored(scored.explanation), a: a!, b: b!, decisions };
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
