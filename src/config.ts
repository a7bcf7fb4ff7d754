// Configuration from the environment, parsed once at start and passed in; nothing else reads process.env.
import { z } from 'zod';

const configFields = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  MILAP_DATA_DIR: z.string().min(1).default('./data'),
  /** Where photos are kept; default: a photos folder in the data directory. */
  MILAP_PHOTO_DIR: z.string().min(1).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** on: the session cookie is sent over HTTPS only (set it when milap is served behind TLS). */
  SECURE_COOKIES: z.enum(['on', 'off']).default('off'),
  WORKER: z.enum(['on', 'off']).default('on'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  MATCH_FLOOR: z.coerce.number().min(0).max(1).default(0.001),
  MATCH_TOP_K: z.coerce.number().int().min(1).max(200).default(10),
  MATCH_CACHE_RECORDS: z.coerce.number().int().min(1000).max(100_000_000).default(400_000),
  /** on: a worker holds every record's keys in memory and searches there (src/matching/live-keys.ts); off: it searches the database's key table. */
  MATCH_KEYS_IN_MEMORY: z.enum(['on', 'off']).default('off'),
  /**
   * off (with MATCH_KEYS_IN_MEMORY=on): match jobs write no rows to the database's key table, and a worker takes
   * no job until every record's keys are in its memory; every worker process on the database must say
   * the same (src/matching/key-rows.ts). on: they write them.
   */
  MATCH_KEY_ROWS: z.enum(['on', 'off']).default('on'),
  /** on: once a worker's start has read every record, the pages match jobs read at random are read back into the server's page cache (src/matching/read-back.ts). */
  MATCH_READ_BACK: z.enum(['on', 'off']).default('on'),
  /** How many connections a PostgreSQL server's sweep of every pair after a re-match weighs batches on at once (src/matching/store.ts, reweighEveryPair). */
  MATCH_SWEEP_CONNECTIONS: z.coerce.number().int().min(1).max(32).default(2),
});

const configSchema = configFields.refine((config) => config.MATCH_KEY_ROWS === 'on' || config.MATCH_KEYS_IN_MEMORY === 'on', {
  path: ['MATCH_KEY_ROWS'],
  message: 'off only with MATCH_KEYS_IN_MEMORY=on: without key rows, every search is made in the keys in memory',
});

export type Config = z.infer<typeof configSchema>;

export const photoDirOf = (config: Pick<Config, 'MILAP_DATA_DIR' | 'MILAP_PHOTO_DIR'>) => config.MILAP_PHOTO_DIR ?? `${config.MILAP_DATA_DIR}/photos`;

export class ConfigError extends Error {}

/** Parses the environment; a bad value stops start with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}
