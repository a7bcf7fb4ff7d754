// `milap migrate`: apply the migrations in migrations/ and exit.
import { openDatabase } from '../db/database.ts';
import { migrate, MigrationError } from '../db/migrate.ts';
import { startQueue } from '../jobs/queue.ts';
import { configOrComplain } from './common.ts';

export async function run(args: string[]): Promise<number> {
  if (args.length) {
    process.stderr.write('usage: milap migrate   (DATABASE_URL or MILAP_DATA_DIR select the database)\n');
    return 2;
  }
  const config = configOrComplain();
  if (!config) return 2;
  const database = await openDatabase(config);
  try {
    const applied = await migrate(database.pool);
    // pg-boss installs or upgrades its own schema when it starts.
    const boss = await startQueue(database, { supervise: false });
    await boss.stop({ graceful: false, close: false });
    process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'the database is up to date\n');
    return 0;
  } catch (error) {
    if (error instanceof MigrationError) {
      process.stderr.write(`milap: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
