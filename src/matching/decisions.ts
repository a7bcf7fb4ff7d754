// Officers' decisions on candidate pairs. A confirm marks both records matched, supersedes their
// other pending pairs and opens a restoration; undoing a confirm is its own recorded decision that
// puts everything back, never an erase. Every decision keeps who, when, why and the score it saw.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { RecordPlace } from '../access/jurisdiction.ts';
import { withTransaction } from '../db/database.ts';
import { conflict, HttpError, notFound } from '../http/errors.ts';
import { changeStatusIn } from '../records/service.ts';
import { foundSide, missingSide } from '../records/sides.ts';
import { explanationOfStored, lockPairsOf, recordsAround, refreshProbabilities, type StoredExplanation } from './store.ts';

export const decisions = ['confirm', 'reject', 'hold', 'undo_confirm'] as const;
export type Decision = (typeof decisions)[number];

/** From which states each decision may be taken, and the state it leads to. */
const transitions: Record<Decision, { from: string[]; to: string }> = {
  confirm: { from: ['pending', 'on_hold'], to: 'confirmed' },
  reject: { from: ['pending', 'on_hold'], to: 'rejected' },
  hold: { from: ['pending'], to: 'on_hold' },
  undo_confirm: { from: ['confirmed'], to: 'pending' },
};

export interface DecisionContext {
  pool: pg.Pool;
  boss: PgBoss;
  /** Refuses a pair of which neither record lies in the user's jurisdiction. */
  guardPair: (missing: RecordPlace, found: RecordPlace) => void;
}

interface Actor {
  id: string;
  username: string;
}

interface LockedPair {
  id: string;
  state: string;
  missingId: string;
  foundId: string;
  explanation: StoredExplanation;
}

export async function decide(ctx: DecisionContext, candidateId: string, decision: Decision, reason: string, actor: Actor) {
  const { decided, pair } = await decideInTransaction(ctx, candidateId, decision, reason, actor);
  // A rejected pair competes no more, a confirm's superseded pairs neither: every pair of both
  // records, and of their other partners, is weighed again (store.ts, refreshProbabilities).
  await refreshProbabilities(ctx.pool, await recordsAround(ctx.pool, [pair.missingId], [pair.foundId]));
  return decided;
}

async function decideInTransaction(ctx: DecisionContext, candidateId: string, decision: Decision, reason: string, actor: Actor) {
  return withTransaction(ctx.pool, async (tx) => {
    // A confirm supersedes its records' other pending pairs and undoing it brings them back: every
    // pair of both records is locked first, as match jobs and the competing-probability refresh lock
    // pairs (store.ts, lockPairsOf). Held one by one, the decided pair first, a confirm could hold the
    // pair such a job wanted next while it waited for one the job held: a deadlock, the officer's
    // decision failed. A pair's records never change, so they are read before it is locked.
    if (decision === 'confirm' || decision === 'undo_confirm') {
      const { rows: [ends] } = await tx.query<{ missing: string; found: string }>('SELECT missing_id AS missing, found_id AS found FROM candidate_pair WHERE id = $1', [candidateId]);
      if (ends) await lockPairsOf(tx, { missing: [ends.missing], found: [ends.found] });
    }
    const { rows } = await tx.query<LockedPair & { missing: RecordPlace; found: RecordPlace }>(
      `SELECT c.id, c.state, c.missing_id AS "missingId", c.found_id AS "foundId", (SELECT e.explanation FROM candidate_explanation e WHERE e.pair_id = c.id) AS explanation,
              json_build_object('stateCode', m.state_code, 'districtId', m.district_id, 'filingUnit', m.filing_unit) AS missing,
              json_build_object('stateCode', f.state_code, 'districtId', f.district_id, 'filingUnit', f.filing_unit) AS found
         FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id
        WHERE c.id = $1 FOR UPDATE OF c`,
      [candidateId],
    );
    const pair = rows[0];
    if (!pair) throw notFound('candidate pair');
    ctx.guardPair(pair.missing, pair.found);
    const { from, to } = transitions[decision];
    if (!from.includes(pair.state)) throw conflict(`a ${pair.state} pair cannot be given '${decision}'`, { state: pair.state });

    const records = { pool: ctx.pool, boss: ctx.boss };
    if (decision === 'confirm') await confirmPair(tx, records, pair, reason, actor);
    if (decision === 'undo_confirm') await undoConfirm(tx, records, pair, reason, actor);
    await tx.query(`UPDATE candidate_pair SET state = $2, reopened_because = NULL, updated_at = clock_timestamp() WHERE id = $1`, [pair.id, to]);
    await tx.query('UPDATE candidate_explanation SET decided_explanation = explanation WHERE pair_id = $1', [pair.id]);
    const { rows: decided } = await tx.query(
      `INSERT INTO candidate_decision (candidate_id, decision, reason, from_state, to_state, explanation, decided_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id, decision, reason, from_state AS "fromState", to_state AS "toState", decided_at::text AS "decidedAt"`,
      // The decision's record keeps the explanation as the officer saw it, each entry an object.
      [pair.id, decision, reason, pair.state, to, JSON.stringify(explanationOfStored(pair.explanation)), actor.id],
    );
    return { decided: decided[0], pair };
  });
}

async function confirmPair(tx: pg.PoolClient, records: { pool: pg.Pool; boss: PgBoss }, pair: LockedPair, reason: string, actor: Actor) {
  const statuses = await tx.query<{ missing: string; found: string }>(
    'SELECT (SELECT status FROM missing_report WHERE id = $1) AS missing, (SELECT status FROM found_child WHERE id = $2) AS found',
    [pair.missingId, pair.foundId],
  );
  const { missing, found } = statuses.rows[0]!;
  if (missing !== 'open' || found !== 'in_care') {
    throw conflict(`both records must still be looking for a match (the report is ${missing}, the child is ${found})`);
  }
  const note = `confirmed match: ${reason}`;
  await changeStatusIn(tx, records, missingSide, pair.missingId, 'matched', note, actor.username);
  await changeStatusIn(tx, records, foundSide, pair.foundId, 'matched', note, actor.username);
  await tx.query(
    `UPDATE candidate_pair SET state = 'superseded', updated_at = clock_timestamp()
      WHERE id <> $1 AND state = 'pending' AND (missing_id = $2 OR found_id = $3)`,
    [pair.id, pair.missingId, pair.foundId],
  );
  const restoration = await tx.query(
    `INSERT INTO restoration (candidate_id, missing_id, found_id, stage) VALUES ($1, $2, $3, 'confirmed') RETURNING id`,
    [pair.id, pair.missingId, pair.foundId],
  );
  await tx.query(`INSERT INTO restoration_step (restoration_id, from_stage, to_stage, note, actor) VALUES ($1, NULL, 'confirmed', $2, $3)`, [
    restoration.rows[0]!.id,
    reason,
    actor.id,
  ]);
}

async function undoConfirm(tx: pg.PoolClient, records: { pool: pg.Pool; boss: PgBoss }, pair: LockedPair, reason: string, actor: Actor) {
  const open = await tx.query<{ id: string; stage: string }>(
    `SELECT id, stage FROM restoration WHERE candidate_id = $1 AND stage NOT IN ('closed', 'cancelled') FOR UPDATE`,
    [pair.id],
  );
  const restoration = open.rows[0];
  if (restoration && ['handed_over', 'follow_up'].includes(restoration.stage)) {
    throw new HttpError(409, 'conflict', 'the child has already been handed over; record what happened in the restoration instead');
  }
  if (restoration) {
    await tx.query(`UPDATE restoration SET stage = 'cancelled', updated_at = clock_timestamp() WHERE id = $1`, [restoration.id]);
    await tx.query(
      `INSERT INTO restoration_step (restoration_id, from_stage, to_stage, note, actor) VALUES ($1, $2, 'cancelled', $3, $4)`,
      [restoration.id, restoration.stage, `confirm undone: ${reason}`, actor.id],
    );
  }
  const note = `confirm undone: ${reason}`;
  await changeStatusIn(tx, records, missingSide, pair.missingId, 'open', note, actor.username);
  await changeStatusIn(tx, records, foundSide, pair.foundId, 'in_care', note, actor.username);
  // The pairs this confirm superseded are undecided again.
  await tx.query(
    `UPDATE candidate_pair SET state = 'pending', updated_at = clock_timestamp()
      WHERE id <> $1 AND state = 'superseded' AND (missing_id = $2 OR found_id = $3)`,
    [pair.id, pair.missingId, pair.foundId],
  );
}

export async function decisionHistory(pool: pg.Pool, candidateId: string) {
  const { rows } = await pool.query(
    `SELECT d.id, d.decision, d.reason, d.from_state AS "fromState", d.to_state AS "toState", u.username AS "decidedBy",
            to_char(d.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "decidedAt"
       FROM candidate_decision d JOIN app_user u ON u.id = d.decided_by WHERE d.candidate_id = $1 ORDER BY d.decided_at`,
    [candidateId],
  );
  return rows;
}
