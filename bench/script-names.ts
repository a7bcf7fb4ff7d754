// The name matchers on each script the synthetic world writes: every hand-written name of
// fixtures/synth/names.json (a region's given names and surnames, in Latin letters and in the
// region's own script) compared with its own Latin spelling, and with the other names' Latin
// spellings. For each region: how many pairs share a blocking key (phonetic or consonant) and
// reach the top name levels (exact or phonetic), for the same name and for different names.
//   npx tsx bench/script-names.ts
import { compareNames, nameBlockingKeys, nameSkeletonKeys, prepareName, type PreparedName } from '../matchers/names/compare.ts';
import namesJson from '../fixtures/synth/names.json' with { type: 'json' };

interface RegionEntry {
  region: string;
  script: string;
  female: string[][];
  male: string[][];
  surnames: string[][];
}

const keysOf = (name: PreparedName) => new Set([...nameBlockingKeys(name), ...nameSkeletonKeys(name)]);
const top = (a: PreparedName, b: PreparedName) => ['exact', 'phonetic'].includes(compareNames(a, b).level);
const share = (a: PreparedName, b: PreparedName) => {
  const keys = keysOf(a);
  return [...keysOf(b)].some((key) => keys.has(key));
};
const percent = (part: number, whole: number) => `${((100 * part) / (whole || 1)).toFixed(1)}%`;

const rows = (namesJson.regions as RegionEntry[]).map((region) => {
  const pairs = [...region.female, ...region.male, ...region.surnames]
    .map(([latin, native]) => ({ latin: prepareName(latin), native: prepareName(native) }))
    .filter((pair): pair is { latin: PreparedName; native: PreparedName } => pair.latin !== null && pair.native !== null);
  let sameKey = 0, sameTop = 0, otherKey = 0, otherTop = 0, others = 0;
  for (const { latin, native } of pairs) {
    if (share(latin, native)) sameKey++;
    if (top(latin, native)) sameTop++;
    for (const other of pairs) {
      if (other.latin === latin || other.latin.tokens.join(' ') === latin.tokens.join(' ')) continue;
      others++;
      if (share(other.latin, native)) otherKey++;
      if (top(other.latin, native)) otherTop++;
    }
  }
  return {
    region: region.region, script: region.script, names: pairs.length,
    'same name: a shared key': percent(sameKey, pairs.length), 'same name: top level': percent(sameTop, pairs.length),
    'different names: a shared key': percent(otherKey, others), 'different names: top level': percent(otherTop, others),
  };
});
console.table(rows);
