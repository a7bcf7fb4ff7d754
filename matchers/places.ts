// Free-text places resolved against the gazetteer (fixtures/gazetteer): every state and union
// territory and every district, with headquarters coordinates and old, misspelt and other-script
// names. Exact names first, then fuse.js for spellings; what isn't confident stays unresolved.
import Fuse from 'fuse.js';
import states from '../fixtures/gazetteer/states.json' with { type: 'json' };
import north from '../fixtures/gazetteer/districts-north.json' with { type: 'json' };
import east from '../fixtures/gazetteer/districts-east.json' with { type: 'json' };
import westCentral from '../fixtures/gazetteer/districts-west-central.json' with { type: 'json' };
import south from '../fixtures/gazetteer/districts-south.json' with { type: 'json' };
import { phoneticKey } from './names/phonetic.ts';
import { withinOneEdit } from './names/similarity.ts';
import type { Place } from './record.ts';

export interface ResolvedPlace {
  stateCode: string | null;
  stateName: string | null;
  /** A stable id such as "JH-dhanbad". */
  districtId: string | null;
  districtName: string | null;
  /** The record's own coordinates when it has them, else the district headquarters, else null. */
  lat: number | null;
  lon: number | null;
  resolution: 'district' | 'state' | 'unresolved' | 'empty';
}

interface District {
  id: string;
  name: string;
  stateCode: string;
  lat: number;
  lon: number;
  names: string[];
}

interface State {
  code: string;
  name: string;
  lat: number;
  lon: number;
  names: string[];
}

/** Lowercase, no accents or punctuation, no "district"/"zila" words, one space between words. */
export function normalisePlaceName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u200c\u200d]/g, '')
    .replace(/[.,;:()'"`/\\&_-]+/g, ' ')
    .replace(/\b(district|dist|distt|zila|zilla|jila|jilla)\b/g, ' ')
    .replace(/(जिला|जिले|ज़िला|जनपद)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * No state or district name is near this long: a longer text is not a misspelling of one, and
 * fuzzy search over it would cost seconds (a 10,000-character "district" took 2.6 s).
 */
const longestFuzzyName = 60;

const slug = (name: string) => normalisePlaceName(name).replace(/ /g, '-');

const stateList: State[] = (states as [string, string, number, number, string[]][]).map(([code, name, lat, lon, alternatives]) => ({
  code, name, lat, lon, names: [name, code, ...alternatives],
}));
const stateByCode = new Map(stateList.map((state) => [state.code, state]));

const districtList: District[] = Object.entries({ ...north, ...east, ...westCentral, ...south } as Record<string, string[]>).flatMap(([stateCode, entries]) =>
  entries.map((entry) => {
    const [name, lat, lon, alternatives] = entry.split('|') as [string, string, string, string];
    const names = [name, ...alternatives.split(';').filter(Boolean)];
    return { id: `${stateCode}-${slug(name)}`, name, stateCode, lat: Number(lat), lon: Number(lon), names };
  }),
);

function indexByName<T extends { names: string[] }>(items: T[]): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const item of items) {
    for (const name of new Set(item.names.map(normalisePlaceName))) {
      if (!name) continue;
      const list = index.get(name) ?? [];
      list.push(item);
      index.set(name, list);
    }
  }
  return index;
}

const stateIndex = indexByName(stateList);
const districtIndex = indexByName(districtList);
/**
 * How a place name sounds, word by word, with the keys made for names (aa/a, oo/u, th/t, v/w, sh/s,
 * doubled letters): "Haapur" and "Hapur", "Sathara" and "Satara", "Shauth Goa" and "South Goa" meet.
 */
const placeSound = (name: string) => name.split(' ').map((word) => phoneticKey(word.replace(/(?<=[^aeiou])y$/, 'i').replace(/ey$/, 'e'))).join(' ');
const districtSounds = new Map<string, District[]>();
for (const district of districtList) {
  for (const sound of new Set(district.names.map((n) => placeSound(normalisePlaceName(n))))) {
    if (sound) districtSounds.set(sound, [...(districtSounds.get(sound) ?? []), district]);
  }
}
let stateFuse: Fuse<{ state: State; name: string }> | null = null;
const districtFuses = new Map<string, Fuse<{ district: District; name: string }>>();

/** The fuzzy index of the districts of a state, or of all India when no state is known. */
function districtFuseOf(state: State | null): Fuse<{ district: District; name: string }> {
  const key = state?.code ?? '';
  let fuse = districtFuses.get(key);
  if (!fuse) {
    const districts = state ? districtList.filter((district) => district.stateCode === state.code) : districtList;
    fuse = new Fuse(districts.flatMap((district) => district.names.map((n) => ({ district, name: normalisePlaceName(n) }))), fuseOptions);
    districtFuses.set(key, fuse);
  }
  return fuse;
}

const fuseOptions = { keys: ['name'], includeScore: true, threshold: 0.3, ignoreLocation: true, minMatchCharLength: 3 };

export function listStates(): { code: string; name: string }[] {
  return stateList.map(({ code, name }) => ({ code, name }));
}

export function districtsOf(stateCode: string): { id: string; name: string; lat: number; lon: number }[] {
  return districtList.filter((d) => d.stateCode === stateCode).map(({ id, name, lat, lon }) => ({ id, name, lat, lon }));
}

function resolveState(text: string | null | undefined): State | null {
  if (!text) return null;
  const name = normalisePlaceName(text);
  if (!name) return null;
  const exact = stateIndex.get(name);
  if (exact?.length === 1) return exact[0]!;
  if (name.length > longestFuzzyName) return null;
  stateFuse ??= new Fuse(stateList.flatMap((state) => state.names.map((n) => ({ state, name: normalisePlaceName(n) }))), fuseOptions);
  const [best] = stateFuse.search(name, { limit: 1 });
  return best && (best.score ?? 1) <= 0.2 && name.length >= 4 ? best.item.state : null;
}

/** Districts resolved by their text and state: the same misspelling recurs in many records' places. */
const districtCache = new Map<string, District | null>();

/** A district by its name, inside `state` when given; null when none or more than one fit. */
function resolveDistrict(text: string | null | undefined, state: State | null): District | null {
  if (!text) return null;
  const key = `${state?.code ?? ''}\u0001${text}`;
  const cached = districtCache.get(key);
  if (cached !== undefined) return cached;
  const district = resolveDistrictUncached(text, state);
  if (districtCache.size >= 100_000) districtCache.clear();
  districtCache.set(key, district);
  return district;
}

function resolveDistrictUncached(text: string, state: State | null): District | null {
  const name = normalisePlaceName(text);
  if (!name) return null;
  const inState = (list: District[] | undefined) => (list ?? []).filter((d) => !state || d.stateCode === state.code);
  const exact = inState(districtIndex.get(name));
  if (exact.length === 1) return exact[0]!;
  if (exact.length > 1) return null; // the same name in two states, and no state to choose
  if (name.length < 4 || name.length > longestFuzzyName) return null;
  const sound = placeSound(name);
  const alike = new Set(inState(districtSounds.get(sound)));
  if (alike.size === 1) return [...alike][0]!;
  if (alike.size > 1) return null;
  // Inside a known state, only its districts are searched (a thirtieth of the country's names).
  const hits = districtFuseOf(state).search(name, { limit: 8 });
  const best = hits[0];
  // Two different districts nearly as close: a guess, not a resolution.
  const rival = best && hits.find((hit) => hit.item.district.id !== best.item.district.id);
  if (best && (best.score ?? 1) <= 0.25 && !(rival && (rival.score ?? 1) - (best.score ?? 1) < 0.05)) return best.item.district;
  // A slip of the keyboard in how it sounds ("Bunid", "Bundi"; "Hooglhy", "Hooghly"), when only
  // one district is that near and the first letter agrees.
  if (sound.length < 4) return null;
  const near = new Set<District>();
  for (const [other, districts] of districtSounds) {
    if (other[0] !== sound[0] || Math.abs(other.length - sound.length) > 1 || !withinOneEdit(sound, other)) continue;
    for (const district of inState(districts)) near.add(district);
  }
  return near.size === 1 ? [...near][0]! : null;
}

/** A district named inside free text ("Dhanbad railway station", "near Jharia, Dhanbad"). */
function districtInText(text: string | null | undefined, state: State | null): District | null {
  if (!text) return null;
  const words = normalisePlaceName(text).split(' ');
  const found = new Set<District>();
  for (let size = 3; size >= 1; size--) {
    for (let start = 0; start + size <= words.length; start++) {
      for (const district of districtIndex.get(words.slice(start, start + size).join(' ')) ?? []) {
        if (!state || district.stateCode === state.code) found.add(district);
      }
    }
    if (found.size) break;
  }
  return found.size === 1 ? [...found][0]! : null;
}

const cache = new Map<string, ResolvedPlace>();

/**
 * What resolvePlace reads of a place, as one string: its cache key (an address or pincode beside it
 * changes nothing). Built by hand: JSON.stringify of it was a fiftieth of a link's time.
 */
function placeKey(place: Place | null | undefined): string {
  const part = (value: string | number | null | undefined) => (value === null || value === undefined ? '\u0002' : typeof value === 'number' ? `#${value}` : value);
  return `${part(place?.place)}\u0001${part(place?.district)}\u0001${part(place?.state)}\u0001${part(place?.lat)}\u0001${part(place?.lon)}`;
}

export function resolvePlace(place: Place | null | undefined): ResolvedPlace {
  const key = placeKey(place);
  const cached = cache.get(key);
  if (cached) return cached;
  const resolved = resolveUncached(place);
  if (cache.size > 200_000) cache.clear();
  cache.set(key, resolved);
  return resolved;
}

function resolveUncached(place: Place | null | undefined): ResolvedPlace {
  const own = { lat: place?.lat ?? null, lon: place?.lon ?? null };
  const nothing = { stateCode: null, stateName: null, districtId: null, districtName: null };
  if (!place || (!place.place && !place.district && !place.state)) {
    return { ...nothing, ...own, resolution: own.lat === null ? 'empty' : 'unresolved' };
  }
  const state = resolveState(place.state);
  const district = resolveDistrict(place.district, state) ?? (place.district ? null : districtInText(place.place, state));
  if (district && (!state || state.code === district.stateCode)) {
    const districtState = stateByCode.get(district.stateCode)!;
    return {
      stateCode: districtState.code, stateName: districtState.name, districtId: district.id, districtName: district.name,
      lat: own.lat ?? district.lat, lon: own.lon ?? district.lon, resolution: 'district',
    };
  }
  if (state) return { ...nothing, stateCode: state.code, stateName: state.name, ...own, resolution: 'state' };
  return { ...nothing, ...own, resolution: 'unresolved' };
}

/** Great-circle distance between two resolved places, when both have coordinates. */
export function distanceKm(a: ResolvedPlace, b: ResolvedPlace): number | null {
  if (a.lat === null || a.lon === null || b.lat === null || b.lon === null) return null;
  const radians = Math.PI / 180;
  const dLat = (b.lat - a.lat) * radians;
  const dLon = (b.lon - a.lon) * radians;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * radians) * Math.cos(b.lat * radians) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
