// `milap synth --missing N --found M --seed S [--out DIR]`: write a synthetic world as CONTRACT.md
// JSONL (missing.jsonl, found.jsonl) and its true pairs with the slips made on each (pairs.jsonl).
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { generateWorld } from '../../fixtures/synth/world.ts';

const usage = 'usage: milap synth --missing N --found M --seed S [--out DIR]\n';

function wholeNumber(text: string | undefined, name: string, least: number): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < least) {
    throw new Error(`--${name} must be a whole number of at least ${least}`);
  }
  return value;
}

/** One JSON object a line; streamed so a million records never sit in one string. */
async function writeJsonl(file: string, items: object[]): Promise<void> {
  const out = createWriteStream(file);
  for (const item of items) {
    if (!out.write(`${JSON.stringify(item)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
}

export async function run(args: string[]): Promise<number> {
  let options: { missing: number; found: number; seed: number; out: string };
  try {
    const { values } = parseArgs({
      args,
      options: { missing: { type: 'string' }, found: { type: 'string' }, seed: { type: 'string', default: '1' }, out: { type: 'string', default: './synth-world' } },
      strict: true,
      allowPositionals: false,
    });
    options = { missing: wholeNumber(values.missing, 'missing', 1), found: wholeNumber(values.found, 'found', 0), seed: wholeNumber(values.seed, 'seed', 0), out: values.out };
  } catch (error) {
    process.stderr.write(`milap synth: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const started = performance.now();
  const world = generateWorld(options);
  try {
    await mkdir(options.out, { recursive: true });
    await writeJsonl(join(options.out, 'missing.jsonl'), world.missing);
    await writeJsonl(join(options.out, 'found.jsonl'), world.found);
    await writeJsonl(join(options.out, 'pairs.jsonl'), world.truePairs);
  } catch (error) {
    process.stderr.write(`milap synth: cannot write to ${options.out}: ${(error as Error).message}\n`);
    return 2;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `milap synth: seed ${options.seed}: ${world.missing.length} missing reports, ${world.found.length} found children ` +
      `(${world.truePairs.length} of them with a report) written to ${options.out} in ${seconds} s\n`,
  );
  return 0;
}
