// `milap link --missing M.jsonl --found F.jsonl [--out C.jsonl] [--top 10]`, exactly as CONTRACT.md
// says: the service's matchers, keys and model; no database; nothing written but --out.
import { createWriteStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { linkRecords } from '../../matchers/link.ts';
import { usablePhotoHashes, type PhotoHash } from '../../matchers/photos/evidence.ts';
import { pdqHashOfImage } from '../photos/pdq-image.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { foundChildSchema, missingReportSchema } from '../records/schema.ts';
import { readJsonl } from './jsonl.ts';

const usage = 'usage: milap link --missing MISSING.jsonl --found FOUND.jsonl [--out CANDIDATES.jsonl] [--top 10]\n';

async function readSide<T>(path: string, schema: Parameters<typeof readJsonl<T>>[1], label: string, bad: { count: number }): Promise<T[]> {
  const records: T[] = [];
  for await (const entry of readJsonl(path, schema)) {
    if ('record' in entry) records.push(entry.record);
    else {
      bad.count++;
      for (const problem of entry.problems) process.stderr.write(`${label}:${entry.line}: ${problem.field || '(record)'}: ${problem.reason}\n`);
    }
  }
  return records;
}

/**
 * The PDQ hashes of each record's photos (paths relative to the JSONL file), by ref, hashed as the
 * service hashes an upload. A photo that cannot be read or decoded is reported and left out.
 */
async function photoHashes(records: readonly (MissingReport | FoundChild)[], jsonlPath: string): Promise<Map<string, PhotoHash[]>> {
  const base = dirname(resolve(jsonlPath));
  const hashes = new Map<string, PhotoHash[]>();
  for (const record of records) {
    if (!record.photos?.length) continue;
    const computed = [];
    for (const path of record.photos) {
      try {
        computed.push(await pdqHashOfImage(await readFile(resolve(base, path))));
      } catch {
        process.stderr.write(`${jsonlPath}: ${record.ref}: photo ${path} cannot be read as an image; left out\n`);
      }
    }
    const usable = usablePhotoHashes(computed);
    if (usable.length) hashes.set(record.ref, usable);
  }
  return hashes;
}

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { missing: { type: 'string' }, found: { type: 'string' }, out: { type: 'string' }, top: { type: 'string', default: '10' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`milap link: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const top = Number(values.top);
  if (!values.missing || !values.found || !Number.isInteger(top) || top < 1) {
    process.stderr.write(`milap link: --missing and --found are required; --top is a positive whole number\n${usage}`);
    return 2;
  }
  for (const path of [values.missing, values.found]) {
    try {
      await access(path);
    } catch {
      process.stderr.write(`milap link: cannot read ${path}\n`);
      return 2;
    }
  }
  const started = performance.now();
  const bad = { count: 0 };
  const missing = await readSide<MissingReport>(values.missing, missingReportSchema, values.missing, bad);
  const found = await readSide<FoundChild>(values.found, foundChildSchema, values.found, bad);
  const photos = { missing: await photoHashes(missing, values.missing), found: await photoHashes(found, values.found) };
  const out: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : process.stdout;
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'linking [{bar}] {value}/{total} found children' }) : null;
  bar?.start(found.length, 0);
  let pairs = 0;
  for (const pair of linkRecords(missing, found, { top, photos, onProgress: (done) => bar?.update(done) })) {
    pairs++;
    const line = `${JSON.stringify(pair)}\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  bar?.update(found.length);
  bar?.stop();
  if (values.out) await new Promise<void>((resolve) => out.end(() => resolve()));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`read ${missing.length} missing and ${found.length} found records (${bad.count} malformed lines skipped); wrote ${pairs} candidate pairs; ${seconds} s\n`);
  return missing.length > 0 && found.length > 0 ? 0 : 2;
}
