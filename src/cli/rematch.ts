// `milap rematch [--all]`: queue a re-match of every record matched by another model version or under other rules of the
// matchers (matchers/version.ts), or, with --all, of every record, in chunks with progress; safe to re-run after a crash.
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { startQueue } from '../jobs/queue.ts';
import { createEngine } from '../matching/engine.ts';
import { countRemaining, openRun, queueRun } from '../matching/rematch.ts';
import { configOrComplain } from './common.ts';

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { all: { type: 'boolean', default: false } }, strict: true }));
  } catch (error) {
    process.stderr.write(`milap rematch: ${(error as Error).message}\nusage: milap rematch [--all]\n`);
    return 2;
  }
  const config = configOrComplain();
  if (!config) return 2;
  const database = await openDatabase(config);
  try {
    await migrate(database.pool);
    const boss = await startQueue(database, { supervise: false });
    try {
      const { modelVersion } = createEngine();
      const rematch = await openRun(database.pool, modelVersion, values.all);
      const total = await countRemaining(database.pool, modelVersion, rematch);
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'queueing [{bar}] {value}/{total} records' }) : null;
      bar?.start(total, 0);
      const queued = await queueRun(database.pool, boss, modelVersion, rematch, (n) => {
        if (bar) bar.update(n);
        else process.stderr.write(`queued ${n}/${total}\n`);
      });
      bar?.stop();
      process.stderr.write(`queued ${queued} records for re-matching with model ${modelVersion}; the workers of \`milap serve\` match them\n`);
      return 0;
    } finally {
      await boss.stop({ graceful: true, close: false });
    }
  } finally {
    await database.close();
  }
}
