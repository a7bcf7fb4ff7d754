// The configuration: .env.example names every variable milap reads, each with a value it accepts, and
// a bad value stops the start naming its variable.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The variables .env.example sets, and those it shows commented out (optional ones with no default). */
function example(): { set: Record<string, string>; shown: string[] } {
  const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
  const set = Object.fromEntries(lines.filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const shown = lines.flatMap((line) => /^# ([A-Z_]+)=/.exec(line)?.[1] ?? []);
  return { set, shown };
}

describe('configuration', () => {
  it('.env.example names every variable, and its values are accepted as they are', () => {
    const { set, shown } = example();
    const defaults = loadConfig({});
    // Every variable with a default is set in the example; the optional ones without are shown.
    expect(Object.keys(set).sort()).toEqual(Object.keys(defaults).sort());
    expect(shown.sort()).toEqual(['DATABASE_URL', 'MILAP_PHOTO_DIR']);
    // The example's values are the defaults: copying it changes nothing.
    expect(loadConfig(set)).toEqual(defaults);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadConfig({ MATCH_READ_BACK: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadConfig({ MATCH_READ_BACK: 'sometimes' })).toThrow(/MATCH_READ_BACK/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(loadConfig({ MATCH_READ_BACK: 'off' }).MATCH_READ_BACK).toBe('off');
  });
});
