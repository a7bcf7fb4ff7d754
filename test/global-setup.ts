// With DATABASE_URL (a PostgreSQL server), migrate once into a template database; each test file
// then gets its own copy (CREATE DATABASE ... TEMPLATE), isolated and fast. On PGlite there is
// nothing to share: each file opens its own in-memory database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { startQueue } from '../src/jobs/queue.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | null;
  }
}

export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  // The test files make their temporary directories (photo stores, the CLI's work, the browser's
  // profile) with mkdtemp and leave them, about eighty a run: made under this run's own, which the
  // test processes inherit (TMPDIR), they are removed with it after the run.
  const scratch = mkdtempSync(join(tmpdir(), 'milap-tests-'));
  process.env.TMPDIR = scratch;
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  const base = process.env.DATABASE_URL;
  if (!base) {
    project.provide('templateDatabase', null);
    return removeScratch;
  }
  const template = `${new URL(base).pathname.slice(1)}_template`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();

  const database = await openDatabase({ DATABASE_URL: databaseUrl(base, template), MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 2 });
  await migrate(database.pool);
  const boss = await startQueue(database, { supervise: false });
  await boss.stop({ graceful: false, close: false });
  await database.close();
  project.provide('templateDatabase', template);

  return async () => {
    const cleanup = new pg.Client({ connectionString: base });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${template}"`);
    await cleanup.end();
    removeScratch();
  };
}
