// CSV in CONTRACT.md's flattened shape (as exports write it): RFC 4180 quoting, "home.district"
// columns become nested places, "a; b" cells become lists, numbers become numbers.

/** Splits CSV text into rows of cells, honouring quotes, doubled quotes and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      if (row.some((value) => value !== '')) rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  row.push(cell);
  if (row.some((value) => value !== '')) rows.push(row);
  return rows;
}

const listFields = new Set(['aliases', 'languages', 'photos']);
const numberFields = new Set(['ageYears', 'apparentAgeYears', 'heightCm', 'lat', 'lon']);

/** One CSV row (with its header) as a record object, ready for the same zod validation as JSON. */
export function rowToRecord(header: string[], cells: string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  header.forEach((column, index) => {
    const raw = (cells[index] ?? '').trim();
    if (raw === '' || column === 'id') return;
    const path = column.split('.');
    const field = path[path.length - 1]!;
    let value: unknown = raw;
    if (listFields.has(field)) value = raw.split(';').map((part) => part.trim()).filter(Boolean);
    else if (field === 'ageRangeYears') value = raw.split(';').map((part) => Number(part.trim()));
    else if (numberFields.has(field) && /^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    let target = record;
    for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[field] = value;
  });
  return record;
}
