// `milap import --missing FILE | --found FILE [--drive ID]`: bulk import (JSONL, or CSV by its
// .csv name) through the same validation as the API. Each bad line is reported (line, field,
// reason) and skipped; a ref the same unit already filed is updated, not duplicated, so a re-run is
// safe. Photos named in a record are read from paths relative to the file and attached.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { photoDirOf } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { HttpError } from '../http/errors.ts';
import { startQueue } from '../jobs/queue.ts';
import { attachPhoto } from '../photos/service.ts';
import { DirectoryPhotoStore } from '../photos/store.ts';
import { importRecord, type ImportOutcome } from '../records/service.ts';
import { foundSide, missingSide, type ChildRecord, type SideDefinition } from '../records/sides.ts';
import { configOrComplain } from './common.ts';
import { countLines, readRecords } from './jsonl.ts';

const usage = 'usage: milap import --missing FILE.jsonl|.csv | --found FILE.jsonl|.csv [--drive DRIVE-ID]\n';

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { missing: { type: 'string' }, found: { type: 'string' }, drive: { type: 'string' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`milap import: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (Boolean(values.missing) === Boolean(values.found) || (values.drive && !values.found)) {
    process.stderr.write(`milap import: give exactly one of --missing or --found (a drive takes found children)\n${usage}`);
    return 2;
  }
  const side = values.missing ? missingSide : foundSide;
  const file = (values.missing ?? values.found)!;
  let total: number;
  try {
    total = await countLines(file);
  } catch (error) {
    process.stderr.write(`milap import: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const config = configOrComplain();
  if (!config) return 2;
  const database = await openDatabase(config);
  try {
    await migrate(database.pool);
    if (values.drive && !(await database.pool.query('SELECT 1 FROM rescue_drive WHERE id::text = $1', [values.drive])).rowCount) {
      process.stderr.write(`milap import: no rescue drive ${values.drive}\n`);
      return 2;
    }
    const boss = await startQueue(database, { supervise: false });
    try {
      const ctx = { pool: database.pool, boss, store: new DirectoryPhotoStore(photoDirOf(config)) };
      const started = performance.now();
      const summary = await importFile(side, file, total, ctx, values.drive ?? null);
      // A bulk load changes the table's figures at once; the planner should know them before the match jobs run.
      if (summary.created > 100) await database.pool.query(`ANALYZE ${side.table}`);
      process.stderr.write(
        `${file}: ${summary.read} lines read; ${summary.created} created, ${summary.updated} updated, ` +
          `${summary.unchanged} unchanged, ${summary.failed} refused; ${summary.photos} photos attached; ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      return summary.failed > 0 && summary.failed === summary.read ? 1 : 0;
    } finally {
      await boss.stop({ graceful: true, close: false });
    }
  } finally {
    await database.close();
  }
}

interface ImportSummary extends Record<ImportOutcome, number> {
  read: number;
  failed: number;
  photos: number;
}

type ImportContext = Parameters<typeof attachPhoto>[0];

async function importFile(side: SideDefinition, file: string, total: number, ctx: ImportContext, driveId: string | null): Promise<ImportSummary> {
  const summary: ImportSummary = { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, photos: 0 };
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'importing [{bar}] {value}/{total} lines | {eta}s left' }) : null;
  bar?.start(total, 0);
  const report = (line: number, problems: { field: string; reason: string }[]) => {
    const message = problems.map((p) => `line ${line}: ${p.field || '(record)'}: ${p.reason}\n`).join('');
    // Over a progress bar: clear its line first; the bar redraws itself on the next update.
    process.stderr.write(bar ? `\r\x1b[K${message}` : message);
  };
  for await (const entry of readRecords(file, side.schema)) {
    summary.read++;
    if ('problems' in entry) {
      summary.failed++;
      report(entry.line, entry.problems);
    } else {
      try {
        const outcome = await importRecord(ctx, side, entry.record, 'import', driveId);
        summary[outcome.outcome]++;
        summary.photos += await attachPhotos(ctx, side, outcome.id, entry.record, dirname(resolve(file)), (problem) => report(entry.line, [problem]));
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        summary.failed++;
        report(entry.line, [{ field: 'ref', reason: error.message }]);
      }
    }
    bar?.update(summary.read);
  }
  bar?.stop();
  return summary;
}

/** Attaches the record's photo files (paths relative to the imported file); a bad photo is reported, the record kept. */
async function attachPhotos(ctx: ImportContext, side: SideDefinition, id: string, record: ChildRecord, folder: string, report: (p: { field: string; reason: string }) => void): Promise<number> {
  let attached = 0;
  for (const [index, path] of (record.photos ?? []).entries()) {
    try {
      const bytes = await readFile(resolve(folder, path));
      if ((await attachPhoto(ctx, side, id, bytes, 'import')).created) attached++;
    } catch (error) {
      report({ field: `photos.${index}`, reason: error instanceof HttpError ? error.message : `cannot read ${path}` });
    }
  }
  return attached;
}
