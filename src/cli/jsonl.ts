// Reading record files line by line: JSONL (one CONTRACT.md record per line) or CSV (the flattened
// export shape). Each line is parsed and validated with the given schema; a bad line becomes a
// list of (field, reason) problems with its line number and never stops the reading.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import type { FieldProblem } from '../http/errors.ts';
import { parseCsv, rowToRecord } from '../records/csv.ts';
import { fieldProblems } from '../records/problems.ts';

export type RecordLine<T> = { line: number; record: T } | { line: number; problems: FieldProblem[] };

function validate<T>(schema: z.ZodType<T>, line: number, value: unknown): RecordLine<T> {
  const parsed = schema.safeParse(value);
  return parsed.success ? { line, record: parsed.data } : { line, problems: fieldProblems(parsed.error) };
}

export async function* readJsonl<T>(path: string, schema: z.ZodType<T>): AsyncGenerator<RecordLine<T>> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, problems: [{ field: '', reason: `not valid JSON (${(error as Error).message})` }] };
      continue;
    }
    yield validate(schema, line, value);
  }
}

/** CSV with a header row; line numbers count the header as line 1. */
export async function* readCsv<T>(path: string, schema: z.ZodType<T>): AsyncGenerator<RecordLine<T>> {
  const [header, ...rows] = parseCsv(await readFile(path, 'utf8'));
  if (!header) return;
  for (const [index, cells] of rows.entries()) yield validate(schema, index + 2, rowToRecord(header, cells));
}

/** JSONL, or CSV when the file name ends in .csv. */
export function readRecords<T>(path: string, schema: z.ZodType<T>): AsyncGenerator<RecordLine<T>> {
  return path.toLowerCase().endsWith('.csv') ? readCsv(path, schema) : readJsonl(path, schema);
}

/** Lines in a file (for a progress bar's total); throws when the file can't be read. */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) if (byte === 10) count++;
  }
  return count;
}
