// The rank floor of every found child of bench/pipeline.ts's world, as her own match job would save
// it (matchers/blocking.ts, rankedBestOf), written to stdout as a JSON array in the world's order of
// found children. Run by the pipeline bench as a process of its own, so that the index of every
// report it builds is not counted in the bench's worker memory.
//   npx tsx bench/pipeline-floors.ts <missing> <found> <seed>
import { generateWorld } from '../fixtures/synth/world.ts';
import { blockingKeys } from '../matchers/blocking.ts';
import { CandidateIndex } from '../matchers/candidate-index.ts';
import { candidatesOf } from '../matchers/link.ts';
import { prepareFound, prepareMissing } from '../matchers/prepare.ts';

const [missing, found, seed] = process.argv.slice(2).map(Number);
const world = generateWorld({ missing: missing!, found: found!, seed: seed! });
const index = new CandidateIndex(world.missing.map((report) => prepareMissing(report)), blockingKeys);
const floors = world.found.map((child) => candidatesOf(index, prepareFound(child), () => {}));
process.stdout.write(JSON.stringify(floors));
