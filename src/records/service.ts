// What users do with records: file, read, list, update, change status, see history. Every write
// stores a new version and queues the record's match job in the same transaction.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { RecordPlace } from '../access/jurisdiction.ts';
import type { PgBoss } from 'pg-boss';
import { withTransaction } from '../db/database.ts';
import { timeOrderedId } from '../db/ids.ts';
import { conflict, HttpError, notFound, ValidationError } from '../http/errors.ts';
import { appendAudit } from '../access/audit.ts';
import { sendMatchJob } from '../jobs/queue.ts';
import { resolveRecordPlaces } from './places.ts';
import { fieldProblems } from './problems.ts';
import { filingBatcherOf } from './filing-batch.ts';
import * as repository from './repository.ts';
import type { ChildRecord, SideDefinition } from './sides.ts';

export interface RecordsContext {
  pool: pg.Pool;
  boss: PgBoss;
  /** Refuses (throws) a record the acting user may not touch; checked before and after a change. */
  guard?: (place: RecordPlace) => void;
}

export interface Answer {
  statusCode: number;
  body: unknown;
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

function rowFor(side: SideDefinition, record: ChildRecord, status: string, actor: string) {
  return { status, record: record, ...resolveRecordPlaces(side, record), eventDate: side.eventDate(record), actor };
}

async function create(tx: pg.PoolClient, ctx: RecordsContext, side: SideDefinition, record: ChildRecord, actor: string) {
  const row = { ...rowFor(side, record, side.initialStatus, actor), filingUnit: side.filingUnit(record), ref: record.ref };
  ctx.guard?.(row);
  const stored = await repository.insertRecord(tx, side, row);
  if (!stored) return null;
  await repository.insertVersion(tx, side, stored, 'created', Object.keys(record), null);
  await sendMatchJob(ctx.boss, tx, { side: side.side, id: stored.id, version: stored.version });
  return stored;
}

/**
 * Files a new record and its audit entry. Without an idempotency key, in one round trip to the
 * database; with one, a retry gets the first answer back, never a second record.
 */
export async function fileRecord(
  ctx: RecordsContext,
  side: SideDefinition,
  record: ChildRecord,
  audit: repository.FilingAudit,
  idempotencyKey?: string,
): Promise<Answer> {
  if (!idempotencyKey) {
    const row = { ...rowFor(side, record, side.initialStatus, audit.actorName), filingUnit: side.filingUnit(record), ref: record.ref, id: timeOrderedId() };
    ctx.guard?.(row);
    const stored = await filingBatcherOf(ctx.pool, ctx.boss, side).file(row, audit);
    if (!stored) throw await refAlreadyFiled(ctx.pool, side, record);
    return { statusCode: 201, body: stored };
  }
  const actor = { id: audit.actorId ?? '', username: audit.actorName };
  return withTransaction(ctx.pool, async (tx) => {
    // Keys are the client's own: one user's key never replays another user's answer.
    const scope = `${side.side}:${audit.actorId ?? audit.actorName}`;
    const requestHash = createHash('sha256').update(JSON.stringify(record)).digest('hex');
    const replay = await claimIdempotencyKey(tx, scope, idempotencyKey, requestHash);
    if (replay) {
      await appendAudit(tx, { actor: audit.actorId ? actor : null, action: 'create-replay', entity: side.table, ids: [(replay.body as { id?: string }).id ?? null], requestId: audit.requestId });
      return replay;
    }
    const stored = await create(tx, ctx, side, record, audit.actorName);
    if (!stored) throw await refAlreadyFiled(tx, side, record);
    await appendAudit(tx, { actor: audit.actorId ? actor : null, action: 'create', entity: side.table, ids: [stored.id], requestId: audit.requestId });
    const answer = { statusCode: 201, body: stored };
    await tx.query('UPDATE idempotent_request SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2', [
      scope,
      idempotencyKey,
      answer.statusCode,
      answer.body,
    ]);
    return answer;
  });
}

async function refAlreadyFiled(db: repository.Queryable, side: SideDefinition, record: ChildRecord): Promise<HttpError> {
  const existing = await repository.findByRef(db, side, side.filingUnit(record), record.ref);
  return conflict(`a ${side.noun} with this ref already exists for this filing unit`, { id: existing?.id });
}

/**
 * Takes the key for this request, or returns the answer already given under it. A concurrent first
 * request holds the key's row lock, so this waits for it to commit (replay) or roll back (take it).
 */
async function claimIdempotencyKey(tx: pg.PoolClient, scope: string, key: string, requestHash: string): Promise<Answer | null> {
  const claimed = await tx.query(
    `INSERT INTO idempotent_request (scope, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
    [scope, key, requestHash],
  );
  if (claimed.rowCount) return null;
  const { rows } = await tx.query<{ request_hash: string; status_code: number | null; response: unknown }>(
    'SELECT request_hash, status_code, response FROM idempotent_request WHERE scope = $1 AND key = $2',
    [scope, key],
  );
  const previous = rows[0]!;
  if (previous.request_hash !== requestHash) {
    throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request body');
  }
  if (previous.status_code === null) throw conflict('the first request with this Idempotency-Key is still in progress');
  return { statusCode: previous.status_code, body: previous.response };
}

export async function getRecord(ctx: RecordsContext, side: SideDefinition, id: string): Promise<repository.StoredRecord> {
  const stored = await repository.findRecord(ctx.pool, side, id);
  if (!stored) throw notFound(side.noun);
  ctx.guard?.(stored);
  return stored;
}

/** JSON with object keys sorted: jsonb does not keep the order a record was written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => canonical(before[key]) !== canonical(after[key])).sort();
}

/** Applies a partial change; the merged record must still be a valid record. */
export async function updateRecord(
  ctx: RecordsContext,
  side: SideDefinition,
  id: string,
  patch: Record<string, unknown>,
  actor: string,
  expectedVersion?: number,
): Promise<repository.StoredRecord> {
  return withTransaction(ctx.pool, async (tx) => {
    const current = await lockCurrent(tx, ctx, side, id, expectedVersion);
    if ('ref' in patch && patch.ref !== (current.record as { ref: unknown }).ref) {
      throw new ValidationError([{ field: 'ref', reason: 'the filer\'s reference cannot be changed; file a new record' }]);
    }
    const parsed = side.schema.safeParse({ ...current.record, ...patch });
    if (!parsed.success) throw new ValidationError(fieldProblems(parsed.error));
    const fields = changedFields(current.record, parsed.data as unknown as Record<string, unknown>);
    if (fields.length === 0) return current;
    return writeVersion(tx, ctx, side, current, rowFor(side, parsed.data, current.status, actor), 'updated', fields, null);
  });
}

export async function changeStatus(
  ctx: RecordsContext,
  side: SideDefinition,
  id: string,
  status: string,
  reason: string,
  actor: string,
  expectedVersion?: number,
): Promise<repository.StoredRecord> {
  if (!side.statuses.includes(status)) {
    throw new ValidationError([{ field: 'status', reason: `must be one of ${side.statuses.join(', ')}` }]);
  }
  return withTransaction(ctx.pool, (tx) => changeStatusIn(tx, ctx, side, id, status, reason, actor, expectedVersion));
}

/** A status change inside the caller's transaction (a decision marks both records matched at once). */
export async function changeStatusIn(
  tx: pg.PoolClient,
  ctx: RecordsContext,
  side: SideDefinition,
  id: string,
  status: string,
  reason: string,
  actor: string,
  expectedVersion?: number,
): Promise<repository.StoredRecord> {
  const current = await lockCurrent(tx, ctx, side, id, expectedVersion);
  if (current.status === status) return current;
  const row = rowFor(side, current.record as unknown as ChildRecord, status, actor);
  return writeVersion(tx, ctx, side, current, row, 'status', ['status'], reason);
}

async function lockCurrent(tx: pg.PoolClient, ctx: RecordsContext, side: SideDefinition, id: string, expectedVersion?: number) {
  const current = await repository.findRecord(tx, side, id, true);
  if (!current) throw notFound(side.noun);
  ctx.guard?.(current);
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw new HttpError(412, 'version_mismatch', `the record is at version ${current.version}, not ${expectedVersion}`, {
      version: current.version,
    });
  }
  return current;
}

async function writeVersion(
  tx: pg.PoolClient,
  ctx: RecordsContext,
  side: SideDefinition,
  current: repository.StoredRecord,
  row: repository.RowChange,
  change: repository.RecordVersion['change'],
  fields: string[],
  reason: string | null,
): Promise<repository.StoredRecord> {
  ctx.guard?.({ ...row, filingUnit: current.filingUnit });
  const stored = await repository.updateRecord(tx, side, current.id, row);
  await repository.insertVersion(tx, side, stored, change, fields, reason);
  await sendMatchJob(ctx.boss, tx, { side: side.side, id: stored.id, version: stored.version });
  return stored;
}

/** Bulk import: a ref already filed by the same unit is updated (a new version), never duplicated. */
export async function importRecord(
  ctx: RecordsContext,
  side: SideDefinition,
  record: ChildRecord,
  actor: string,
  driveId: string | null = null,
): Promise<{ outcome: ImportOutcome; id: string }> {
  return withTransaction(ctx.pool, async (tx) => {
    const existing = await repository.findByRef(tx, side, side.filingUnit(record), record.ref);
    let outcome: { outcome: ImportOutcome; id: string };
    if (!existing) {
      const created = await create(tx, ctx, side, record, actor);
      if (!created) throw conflict(`a ${side.noun} with this ref was filed meanwhile; run the import again`);
      outcome = { outcome: 'created', id: created.id };
    } else {
      const fields = changedFields(existing.record, record as unknown as Record<string, unknown>);
      if (fields.length) await writeVersion(tx, ctx, side, existing, rowFor(side, record, existing.status, actor), 'updated', fields, null);
      outcome = { outcome: fields.length ? 'updated' : 'unchanged', id: existing.id };
    }
    if (driveId) await tx.query('UPDATE found_child SET drive_id = $2 WHERE id = $1', [outcome.id, driveId]);
    return outcome;
  });
}

export interface HistoryEntry {
  version: number;
  change: repository.RecordVersion['change'];
  status: string;
  reason: string | null;
  changedBy: string;
  changedAt: string;
  changes: { field: string; before: unknown; after: unknown }[];
  record: Record<string, unknown>;
}

/** Every version, each with what changed from the one before. */
export async function recordHistory(ctx: RecordsContext, side: SideDefinition, id: string): Promise<HistoryEntry[]> {
  await getRecord(ctx, side, id);
  const versions = await repository.listVersions(ctx.pool, side, id);
  if (versions.length === 0) throw notFound(side.noun);
  return versions.map((version, index) => {
    const before: Record<string, unknown> = index === 0 ? {} : { ...versions[index - 1]!.record, status: versions[index - 1]!.status };
    const after: Record<string, unknown> = { ...version.record, status: version.status };
    return {
      version: version.version,
      change: version.change,
      status: version.status,
      reason: version.reason,
      changedBy: version.changedBy,
      changedAt: version.changedAt,
      changes: version.changedFields.map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null })),
      record: version.record,
    };
  });
}

export async function listRecords(ctx: RecordsContext, side: SideDefinition, filter: repository.ListFilter): Promise<repository.StoredRecord[]> {
  return repository.listRecords(ctx.pool, side, filter);
}
