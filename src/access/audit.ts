// The audit trail: append-only (the database refuses UPDATE, DELETE and TRUNCATE on it), and free
// of personal values: who, which action, which entity ids, when, under which request.
import type pg from 'pg';
import type { User } from './users.ts';

export interface AuditEvent {
  actor: Pick<User, 'id' | 'username'> | null;
  action: string;
  entity: string;
  ids: (string | null)[];
  requestId: string | null;
  outcome?: 'ok' | 'refused';
}

export async function appendAudit(db: Pick<pg.Pool, 'query'>, event: AuditEvent): Promise<void> {
  const ids = event.ids.length ? event.ids : [null];
  await db.query(
    `INSERT INTO audit_entry (actor_id, actor_name, action, entity, entity_id, request_id, outcome)
     SELECT $1, $2, $3, $4, unnest($5::text[]), $6, $7`,
    [event.actor?.id ?? null, event.actor?.username ?? 'system', event.action, event.entity, ids, event.requestId, event.outcome ?? 'ok'],
  );
}

export interface AuditFilter {
  actorId?: string | undefined;
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  beforeId?: number | undefined;
  limit: number;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | null;
  actorName: string;
  action: string;
  entity: string;
  entityId: string | null;
  requestId: string | null;
  outcome: string;
}

export async function listAudit(db: pg.Pool, filter: AuditFilter): Promise<AuditEntry[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (filter.actorId) add('actor_id = ?', filter.actorId);
  if (filter.action) add('action = ?', filter.action);
  if (filter.entity) add('entity = ?', filter.entity);
  if (filter.entityId) add('entity_id = ?', filter.entityId);
  if (filter.since) add('at >= ?::timestamptz', filter.since);
  if (filter.until) add('at < ?::timestamptz', filter.until);
  if (filter.beforeId) add('id < ?', filter.beforeId);
  values.push(filter.limit);
  const { rows } = await db.query<AuditEntry>(
    `SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, actor_id AS "actorId", actor_name AS "actorName",
            action, entity, entity_id AS "entityId", request_id AS "requestId", outcome
       FROM audit_entry ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${values.length}`,
    values,
  );
  return rows;
}
