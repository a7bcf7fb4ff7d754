// What every database-using command does first: read the configuration, or say what is wrong with it.
import { ConfigError, loadConfig, type Config } from '../config.ts';

export function configOrComplain(): Config | null {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`milap: ${error.message}\n`);
    return null;
  }
}
