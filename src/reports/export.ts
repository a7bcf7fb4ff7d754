// Exporting a jurisdiction's records for other systems: CONTRACT.md's JSONL (the records exactly
// as filed), or CSV with nested places flattened ("home.district") and lists joined by "; ".
import type pg from 'pg';
import { containsSql, type Jurisdiction } from '../access/jurisdiction.ts';
import type { SideDefinition } from '../records/sides.ts';

export async function* exportRecords(db: pg.Pool, side: SideDefinition, jurisdiction: Jurisdiction | undefined, chunk = 1000) {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const values: unknown[] = [after, chunk];
    const inside = jurisdiction ? containsSql(jurisdiction, side.table, (value) => `$${values.push(value)}`) : 'true';
    const { rows } = await db.query<{ id: string; record: Record<string, unknown> }>(
      `SELECT id, record FROM ${side.table} WHERE id > $1 AND ${inside} ORDER BY id LIMIT $2`,
      values,
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.id;
  }
}

/** A record as flat columns: nested objects become "parent.child", arrays "a; b". */
export function flatten(record: Record<string, unknown>, prefix = ''): Record<string, string> {
  const columns: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) columns[name] = value.join('; ');
    else if (typeof value === 'object') Object.assign(columns, flatten(value as Record<string, unknown>, name));
    else columns[name] = String(value);
  }
  return columns;
}

export const csvCell = (value: string | undefined) => {
  const text = value ?? '';
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The CSV columns of a side: every field of the record format, in CONTRACT.md's order. */
export function csvColumnsOf(side: SideDefinition): string[] {
  const place = ['place', 'district', 'state', 'lat', 'lon'];
  const shape = side.side === 'missing'
    ? ['ref', 'name', 'aliases', 'sex', 'birthDate', 'ageYears', 'missingSince', ...place.map((p) => `lastSeen.${p}`),
        ...[...place, 'address', 'pincode'].map((p) => `home.${p}`), 'fatherName', 'motherName', 'guardianName', 'languages',
        'heightCm', 'identificationMarks', 'description', 'policeStation', 'contactPhone', 'photos']
    : ['ref', 'name', 'aliases', 'sex', 'birthDate', 'apparentAgeYears', 'ageRangeYears', 'foundOn', ...place.map((p) => `foundAt.${p}`),
        ...place.map((p) => `statedHome.${p}`), 'fatherName', 'motherName', 'languages', 'heightCm', 'identificationMarks',
        'description', 'institution', 'photos'];
  return ['id', ...shape];
}
