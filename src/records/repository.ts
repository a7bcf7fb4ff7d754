// SQL for both sides' tables and their version history. Table names come from the fixed side
// definitions, never from input; every value is a parameter, or, in the one-round-trip filing,
// a literal escaped by the driver.
import type pg from 'pg';
import { containsSql, type Jurisdiction } from '../access/jurisdiction.ts';
import { statementName } from '../db/prepared.ts';
import type { SideDefinition } from './sides.ts';

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface StoredRecord {
  id: string;
  filingUnit: string;
  ref: string;
  status: string;
  version: number;
  record: Record<string, unknown>;
  places: Record<string, unknown>;
  stateCode: string | null;
  districtId: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  /** Set when an officer merged this record into another (a duplicate of the same child). */
  mergedInto: string | null;
}

export interface RecordVersion {
  version: number;
  change: 'created' | 'updated' | 'status' | 'merged' | 'unmerged';
  changedFields: string[];
  status: string;
  reason: string | null;
  record: Record<string, unknown>;
  changedBy: string;
  changedAt: string;
}

const columns = `id, filing_unit AS "filingUnit", ref, status, version, record, places,
  state_code AS "stateCode", district_id AS "districtId",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt", created_by AS "createdBy",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "updatedAt", updated_by AS "updatedBy",
  merged_into AS "mergedInto"`;

export interface NewRow {
  filingUnit: string;
  ref: string;
  status: string;
  record: object;
  places: object;
  stateCode: string | null;
  districtId: string | null;
  eventDate: string;
  actor: string;
}

/** Inserts a record; null when the (filing unit, ref) pair already exists. */
export async function insertRecord(db: Queryable, side: SideDefinition, row: NewRow): Promise<StoredRecord | null> {
  const { rows } = await db.query<StoredRecord>(
    `INSERT INTO ${side.table} (filing_unit, ref, status, record, places, state_code, district_id, event_date, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
     ON CONFLICT (filing_unit, ref) DO NOTHING
     RETURNING ${columns}`,
    [row.filingUnit, row.ref, row.status, row.record, row.places, row.stateCode, row.districtId, row.eventDate, row.actor],
  );
  return rows[0] ?? null;
}

/** The statements prepared on each pooled connection (they last as long as it does). */
const preparedStatements = new WeakMap<pg.PoolClient, Set<string>>();

/** Who filed a record, for the audit entry written with it. */
export interface FilingAudit {
  actorId: string | null;
  actorName: string;
  requestId: string | null;
}

/**
 * Files new records, one or several, in one round trip and one transaction (group commit): the
 * rows, their first versions, their audit entries and pg-boss's own statement queueing their match
 * jobs, sent as one multi-statement string (values inlined as escaped literals). All or nothing:
 * when any (filing unit, ref) is already taken, or two in the batch share one, nothing at all is
 * written and null comes back.
 */
export async function insertRecordsInOneTrip(
  pool: pg.Pool,
  side: SideDefinition,
  filings: { row: NewRow & { id: string }; audit: FilingAudit }[],
  jobs: { text: string; values: unknown[] },
): Promise<StoredRecord[] | null> {
  const client = await pool.connect();
  try {
    const lit = (value: string | null) => (value === null ? 'NULL' : client.escapeLiteral(value));
    const json = (value: unknown) => `${client.escapeLiteral(JSON.stringify(value))}::jsonb`;
    if (jobs.values.length !== 1 || /\$[2-9]/.test(jobs.text)) throw new Error('unexpected shape of the queue\'s insert statement');
    // pg-boss's insert is planned once per session (a prepared statement named after its text: one
    // job and several are two statements), not in every filing transaction.
    const statement = statementName(jobs.text);
    const prepared = preparedStatements.get(client) ?? preparedStatements.set(client, new Set()).get(client)!;
    if (!prepared.has(statement)) {
      // On PGlite every pooled client is the same session: another client may have prepared it.
      await client.query(`PREPARE ${statement} (text) AS ${jobs.text}`).catch((error: { code?: string }) => {
        if (error.code !== '42P05') throw error; // duplicate_prepared_statement
      });
      prepared.add(statement);
    }
    const jobSql = `EXECUTE ${statement} (${lit(String(jobs.values[0]))})`;
    const rows = filings.map(({ row }) =>
      `(${lit(row.id)}::uuid, ${lit(row.filingUnit)}, ${lit(row.ref)}, ${lit(row.status)}, ${json(row.record)}, ${json(row.places)},
        ${lit(row.stateCode)}, ${lit(row.districtId)}, ${lit(row.eventDate)}::date, ${lit(row.actor)}, ${lit(row.actor)})`);
    const facts = filings.map(({ row, audit }) =>
      `(${lit(row.id)}::uuid, ARRAY[${Object.keys(row.record).map(lit).join(', ')}]::text[], ${lit(audit.actorId)}::uuid, ${lit(audit.actorName)}, ${lit(audit.requestId)})`);
    const sql = `BEGIN;
WITH rec AS (
  INSERT INTO ${side.table} (id, filing_unit, ref, status, record, places, state_code, district_id, event_date, created_by, updated_by)
  VALUES ${rows.join(',\n')}
  RETURNING *
), facts (id, fields, actor_id, actor_name, request_id) AS (VALUES ${facts.join(',\n')}
), version AS (
  INSERT INTO record_version (side, record_id, version, change, changed_fields, status, reason, record, changed_by)
  SELECT ${lit(side.side)}, rec.id, rec.version, 'created', facts.fields, rec.status, NULL, rec.record, rec.updated_by FROM rec JOIN facts USING (id)
), audit AS (
  INSERT INTO audit_entry (actor_id, actor_name, action, entity, entity_id, request_id)
  SELECT facts.actor_id, facts.actor_name, 'create', ${lit(side.table)}, rec.id::text, facts.request_id FROM rec JOIN facts USING (id)
)
SELECT ${columns} FROM rec;
${jobSql};
COMMIT`;
    try {
      const results = (await client.query(sql)) as unknown as pg.QueryResult<StoredRecord>[];
      const byId = new Map(results[1]!.rows.map((stored) => [stored.id, stored]));
      return filings.map(({ row }) => byId.get(row.id)!);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      // A ref already taken (or twice in the batch) failed the insert, so nothing was written. A plain
      // INSERT, not ON CONFLICT: no speculative insertion and no count afterwards for the usual case.
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === `${side.table}_filing_unit_ref_key`) return null;
      throw error;
    }
  } finally {
    client.release();
  }
}

export async function findRecord(db: Queryable, side: SideDefinition, id: string, lock = false): Promise<StoredRecord | null> {
  const { rows } = await db.query<StoredRecord>(
    `SELECT ${columns} FROM ${side.table} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/** The records of these ids that exist, in no particular order. */
export async function findRecords(db: Queryable, side: SideDefinition, ids: readonly string[]): Promise<StoredRecord[]> {
  const { rows } = await db.query<StoredRecord>(findRecordsSql(side, '$1::uuid[]'), [ids]);
  return rows;
}

/** SQL: the stored records of a side whose ids are in `ids` (an SQL uuid[]), as findRecords gives them. */
export const findRecordsSql = (side: SideDefinition, ids: string) => `SELECT ${columns} FROM ${side.table} WHERE id = ANY(${ids})`;

export async function findByRef(db: Queryable, side: SideDefinition, filingUnit: string, ref: string): Promise<StoredRecord | null> {
  const { rows } = await db.query<StoredRecord>(
    `SELECT ${columns} FROM ${side.table} WHERE filing_unit = $1 AND ref = $2 FOR UPDATE`,
    [filingUnit, ref],
  );
  return rows[0] ?? null;
}

export interface RowChange {
  status: string;
  record: object;
  places: object;
  stateCode: string | null;
  districtId: string | null;
  eventDate: string;
  actor: string;
}

/** Writes the next version of a locked record. */
export async function updateRecord(db: Queryable, side: SideDefinition, id: string, change: RowChange): Promise<StoredRecord> {
  const { rows } = await db.query<StoredRecord>(
    `UPDATE ${side.table}
        SET status = $2, record = $3, places = $4, state_code = $5, district_id = $6, event_date = $7,
            version = version + 1, updated_at = clock_timestamp(), updated_by = $8
      WHERE id = $1
      RETURNING ${columns}`,
    [id, change.status, change.record, change.places, change.stateCode, change.districtId, change.eventDate, change.actor],
  );
  return rows[0]!;
}

export async function insertVersion(
  db: Queryable,
  side: SideDefinition,
  stored: StoredRecord,
  change: RecordVersion['change'],
  changedFields: string[],
  reason: string | null,
): Promise<void> {
  await db.query(
    `INSERT INTO record_version (side, record_id, version, change, changed_fields, status, reason, record, changed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [side.side, stored.id, stored.version, change, changedFields, stored.status, reason, stored.record, stored.updatedBy],
  );
}

export async function listVersions(db: Queryable, side: SideDefinition, id: string): Promise<RecordVersion[]> {
  const { rows } = await db.query<RecordVersion>(
    `SELECT version, change, changed_fields AS "changedFields", status, reason, record, changed_by AS "changedBy",
            to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "changedAt"
       FROM record_version WHERE side = $1 AND record_id = $2 ORDER BY version`,
    [side.side, id],
  );
  return rows;
}

export interface ListFilter {
  stateCode?: string | undefined;
  districtId?: string | undefined;
  status?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Only records inside this jurisdiction. */
  jurisdiction?: Jurisdiction | undefined;
  /** Keyset position: the last row of the previous page. */
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/** Newest first, by (created_at, id): stable pages however many rows arrive meanwhile. */
export async function listRecords(db: Queryable, side: SideDefinition, filter: ListFilter): Promise<StoredRecord[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (filter.jurisdiction) {
    where.push(containsSql(filter.jurisdiction, side.table, (value) => {
      values.push(value);
      return `$${values.length}`;
    }));
  }
  if (filter.stateCode) add('state_code = ?', filter.stateCode);
  if (filter.districtId) add('district_id = ?', filter.districtId);
  if (filter.status) add('status = ?', filter.status);
  if (filter.since) add('event_date >= ?', filter.since);
  if (filter.until) add('event_date <= ?', filter.until);
  if (filter.after) {
    values.push(filter.after.createdAt, filter.after.id);
    where.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  values.push(filter.limit);
  const { rows } = await db.query<StoredRecord>(
    `SELECT ${columns} FROM ${side.table}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
    values,
  );
  return rows;
}
