// `milap serve`: the API and the background worker in one process.
import { configOrComplain } from './common.ts';
import { startServer } from '../server.ts';

export async function run(args: string[]): Promise<number> {
  if (args.length) {
    process.stderr.write('usage: milap serve   (configured by environment variables; see README)\n');
    return 2;
  }
  const config = configOrComplain();
  if (!config) return 2;
  await startServer(config);
  return -1; // keeps running until a signal
}
