// Bringing a child home: confirmed → cwc_order → home_verification → escort → handed_over →
// follow_up (one or more visits) → closed, or cancelled from any open stage with a reason. Each step
// keeps who, when, a note, due date and documents; a hand-over marks the report traced and the child
// restored.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Jurisdiction, RecordPlace } from '../access/jurisdiction.ts';
import { containsSql } from '../access/jurisdiction.ts';
import { withTransaction } from '../db/database.ts';
import { conflict, notFound } from '../http/errors.ts';
import { changeStatusIn } from '../records/service.ts';
import { foundSide, missingSide } from '../records/sides.ts';

export const stages = ['confirmed', 'cwc_order', 'home_verification', 'escort', 'handed_over', 'follow_up', 'closed', 'cancelled'] as const;
export type Stage = (typeof stages)[number];

/** The allowed next stages of each stage; `cancelled` is allowed from every open stage. */
export const nextStages: Record<Stage, Stage[]> = {
  confirmed: ['cwc_order', 'cancelled'],
  cwc_order: ['home_verification', 'cancelled'],
  home_verification: ['escort', 'cancelled'],
  escort: ['handed_over', 'cancelled'],
  handed_over: ['follow_up', 'closed', 'cancelled'],
  follow_up: ['follow_up', 'closed', 'cancelled'],
  closed: [],
  cancelled: [],
};

export interface StepInput {
  to: Stage;
  note: string;
  dueDate?: string | undefined;
  documents?: { sha256: string; name: string; contentType: string }[] | undefined;
}

export interface RestorationContext {
  pool: pg.Pool;
  boss: PgBoss;
  guardPair: (missing: RecordPlace, found: RecordPlace) => void;
}

const restorationColumns = `r.id, r.candidate_id AS "candidateId", r.missing_id AS "missingId", r.found_id AS "foundId", r.stage,
  r.next_due::text AS "nextDue", (r.next_due < current_date AND r.stage NOT IN ('closed', 'cancelled')) AS overdue,
  m.ref AS "missingRef", f.ref AS "foundRef",
  to_char(r.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "openedAt",
  to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "updatedAt",
  json_build_object('stateCode', m.state_code, 'districtId', m.district_id, 'filingUnit', m.filing_unit) AS "missingPlace",
  json_build_object('stateCode', f.state_code, 'districtId', f.district_id, 'filingUnit', f.filing_unit) AS "foundPlace"`;
const restorationFrom = `restoration r JOIN missing_report m ON m.id = r.missing_id JOIN found_child f ON f.id = r.found_id`;

export async function listRestorations(pool: pg.Pool, filter: { stage?: Stage | undefined; overdue?: boolean | undefined; jurisdiction?: Jurisdiction | undefined; limit: number }) {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (filter.stage) where.push(`r.stage = ${param(filter.stage)}`);
  if (filter.overdue) where.push(`r.next_due < current_date AND r.stage NOT IN ('closed', 'cancelled')`);
  if (filter.jurisdiction) where.push(`(${containsSql(filter.jurisdiction, 'm', param)} OR ${containsSql(filter.jurisdiction, 'f', param)})`);
  const { rows } = await pool.query(
    `SELECT ${restorationColumns} FROM ${restorationFrom} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY r.next_due NULLS LAST, r.opened_at LIMIT ${param(filter.limit)}`,
    values,
  );
  return rows;
}

export async function getRestoration(ctx: RestorationContext, id: string) {
  const { rows } = await ctx.pool.query(`SELECT ${restorationColumns} FROM ${restorationFrom} WHERE r.id = $1`, [id]);
  const restoration = rows[0];
  if (!restoration) throw notFound('restoration');
  ctx.guardPair(restoration.missingPlace, restoration.foundPlace);
  const steps = await ctx.pool.query(
    `SELECT s.id, s.from_stage AS "fromStage", s.to_stage AS "toStage", s.note, s.due_date::text AS "dueDate", s.documents,
            u.username AS actor, to_char(s.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
       FROM restoration_step s JOIN app_user u ON u.id = s.actor WHERE s.restoration_id = $1 ORDER BY s.at, s.id`,
    [id],
  );
  return { ...restoration, steps: steps.rows };
}

export async function advanceRestoration(ctx: RestorationContext, id: string, step: StepInput, actor: { id: string; username: string }) {
  return withTransaction(ctx.pool, async (tx) => {
    const { rows } = await tx.query(`SELECT ${restorationColumns} FROM ${restorationFrom} WHERE r.id = $1 FOR UPDATE OF r`, [id]);
    const current = rows[0];
    if (!current) throw notFound('restoration');
    ctx.guardPair(current.missingPlace, current.foundPlace);
    const from = current.stage as Stage;
    if (!nextStages[from].includes(step.to)) {
      throw conflict(`a restoration at ${from} can move to ${nextStages[from].join(' or ') || 'nothing'}, not ${step.to}`, { stage: from });
    }
    const records = { pool: ctx.pool, boss: ctx.boss };
    if (step.to === 'handed_over') {
      const note = `handed over to the family: ${step.note}`;
      await changeStatusIn(tx, records, missingSide, current.missingId, 'traced', note, actor.username);
      await changeStatusIn(tx, records, foundSide, current.foundId, 'restored', note, actor.username);
    }
    await tx.query(
      `UPDATE restoration SET stage = $2, next_due = $3, updated_at = clock_timestamp() WHERE id = $1`,
      [id, step.to, step.dueDate ?? null],
    );
    await tx.query(
      `INSERT INTO restoration_step (restoration_id, from_stage, to_stage, note, due_date, documents, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, from, step.to, step.note, step.dueDate ?? null, JSON.stringify(step.documents ?? []), actor.id],
    );
    return { id, stage: step.to, nextDue: step.dueDate ?? null };
  });
}
