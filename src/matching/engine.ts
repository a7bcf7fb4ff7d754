// The service's view of the matchers: the same preparation, keys, narrowing and model that
// `milap link` uses (matchers/), with prepared records cached by id, at their last version prepared.
import { ageWindowOverlaps, blockingKeys } from '../../matchers/blocking.ts';
import { scoreDuplicateAbove } from '../../matchers/duplicates.ts';
import { scorePair } from '../../matchers/link.ts';
import { defaultModel, scoreAbove, type Model, type PairScore as ModelPairScore, type TermFrequency } from '../../matchers/model.ts';
import { samePhotograph, type PhotoHash } from '../../matchers/photos/evidence.ts';
import { prepareFound, prepareMissing, type PreparedRecord, type ResolvedPlaces } from '../../matchers/prepare.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import type { ChildRecord } from '../records/sides.ts';
import { BoundedCache } from '../bounded-cache.ts';

export type Explanation = { comparison: string; level: string; weight: number }[];

/** What the database keeps to narrow a key's candidates before scoring. */
export interface Narrowing {
  sex: string;
  bornFrom: string | null;
  bornTo: string | null;
  /** The day the child went missing, or was found (ranked admission weighs it: matchers/blocking.ts, rankDateWeight). */
  eventDay: string;
}

export interface Subject {
  side: 'missing' | 'found';
  id: string;
  version: number;
  prepared: PreparedRecord;
  /** Its blocking keys: derived anew each time a cached subject is asked (the cache keeps none); a job's own (withKeys) holds them. */
  readonly keys: string[];
  narrowing: Narrowing;
}

export interface PairScore {
  missingId: string;
  foundId: string;
  missingVersion: number;
  foundVersion: number;
  probability: number;
  matchWeight: number;
  explanation: Explanation;
}

export interface MatchEngine {
  modelVersion: string;
  /**
   * A record (with the usable hashes of its photos) prepared for matching; cached by id, the last
   * version and photos prepared. `places`: the record's places as resolved when it was written (records/places.ts).
   */
  prepare(side: 'missing' | 'found', id: string, version: number, record: ChildRecord, photos?: readonly PhotoHash[], places?: ResolvedPlaces): Subject;
  /**
   * The record as prepare() left it in the cache for this version and photos, if it is there: a
   * search need not fetch its body. `photos` left out: whichever photos it was prepared with (a
   * partner the keys in memory admitted, whose photos a search did not read: a photo added since is
   * weighed when its own match job runs, as the upload queues one).
   */
  cached(side: 'missing' | 'found', id: string, version: number, photos?: readonly PhotoHash[]): Subject | undefined;
  /** How many prepared records the cache holds, and how many it can hold without forgetting any (half its limit: bounded-cache.ts). */
  readonly cacheSize: number;
  readonly cacheRoom: number;
  /** The age window `milap link` applies to a pair its keys admitted (exact, after the database's coarse cut). */
  admits(a: Subject, b: Subject): boolean;
  /** The photo-hash proximity key's exact test, after the database's chunk overlap: a shared photograph. */
  sharePhotograph(a: Subject, b: Subject): boolean;
  /** `reports`: how many missing reports are looked for (the pair's prior divides by it: matchers/model.ts, priorWeight). */
  score(missing: Subject, found: Subject, termFrequency?: TermFrequency, reports?: number): PairScore;
  /** score, or null when the pair's probability is surely under `floor` (matchers/model.ts, scoreAbove): what a new candidate needs, as no new pair under the floor is kept. */
  scoreAbove(missing: Subject, found: Subject, floor: number, termFrequency?: TermFrequency, reports?: number): PairScore | null;
  /** Two records of the same side: how likely they are the same child (matchers/duplicates.ts), or null when under `floor`. */
  scoreDuplicate(a: Subject, b: Subject, floor: number): { probability: number; matchWeight: number; explanation: Explanation } | null;
  /** Why a rejected pair deserves another look: a comparison moved to a higher-weighted level. */
  reopenReason(decided: Explanation | null, now: Explanation): string | null;
  /**
   * An engine scoring by another model (a model trained since) on the same prepared records: a
   * record is prepared the same whatever the model, so none is prepared again.
   */
  withModel(model: Model): MatchEngine;
}

const dayMs = 86_400_000;
const isoDay = (day: number | null | undefined) => (day === null || day === undefined ? null : new Date(day * dayMs).toISOString().slice(0, 10));

/** What the database keeps of a prepared record to narrow its keys' candidates. */
export const narrowingOf = (prepared: PreparedRecord): Narrowing => ({
  sex: prepared.sex,
  bornFrom: isoDay(prepared.birth?.from),
  bornTo: isoDay(prepared.birth?.to),
  eventDay: isoDay(prepared.eventDay)!,
});

/** A scored pair of two subjects. */
const pairScoreOf = (missing: Subject, found: Subject, score: ModelPairScore): PairScore => ({
  missingId: missing.id,
  foundId: found.id,
  missingVersion: missing.version,
  foundVersion: found.version,
  probability: score.probability,
  matchWeight: score.matchWeight,
  explanation: score.explanation,
});

/** A record being matched, for its job: the cache's subject with its keys derived once, held by the job and not by the cache. */
export const withKeys = (subject: Subject): Subject => ({ side: subject.side, id: subject.id, version: subject.version, prepared: subject.prepared, narrowing: subject.narrowing, keys: subject.keys });

/** A stored record prepared for matching as its side's record (matchers/prepare.ts). */
export const prepareRecord = (side: 'missing' | 'found', record: ChildRecord, photos: readonly PhotoHash[] = [], places?: ResolvedPlaces): PreparedRecord =>
  side === 'missing' ? prepareMissing(record as MissingReport, photos, places) : prepareFound(record as FoundChild, photos, places);

/** The photos a record was prepared with: a photo added to a record does not change its version, so a cached record is one only with the same photos. */
const photosKeyOf = (photos: readonly PhotoHash[]) => photos.map((photo) => photo.hash).join(',');

/**
 * `cacheSize`: how many prepared records to keep (config.ts, MATCH_CACHE_RECORDS). A record stays
 * while it was used within the last half of that many preparations, so a worker whose cache holds
 * twice the records it matches among prepares each once (warm.ts fills it when the worker starts).
 */
export function createEngine(model: Model = defaultModel, cacheSize = 100_000): MatchEngine {
  // By id alone, the subject saying which side, version and photos it was prepared as: a key made of
  // side, id and version was a new string to build and hash for every partner, a sixteenth of a match
  // job's time in Node (the keys in memory give the same id strings each time, their hashes kept).
  return engineOn(model, new BoundedCache(cacheSize), cacheSize);
}

/** A subject as the cache holds it, with the photos it was prepared with (photosKeyOf): held as one object, as a wrapper round it was one more look at memory for every partner of a search. */
type CachedSubject = Subject & { readonly photosKey: string };

/** An engine scoring by `model` on the prepared records `cache` holds (shared with the engines withModel makes). */
function engineOn(model: Model, cache: BoundedCache<string, CachedSubject>, cacheSize: number): MatchEngine {
  const hit = (side: string, id: string, version: number, photos?: readonly PhotoHash[]): Subject | undefined => {
    const subject = cache.get(id);
    return subject && subject.version === version && subject.side === side && (photos === undefined || subject.photosKey === photosKeyOf(photos)) ? subject : undefined;
  };
  return {
    modelVersion: model.version,
    get cacheSize() {
      return cache.size;
    },
    cacheRoom: Math.floor(cacheSize / 2),
    cached: hit,
    prepare(side, id, version, record, photos = [], places = undefined) {
      const cached = hit(side, id, version, photos);
      if (cached) return cached;
      const prepared = prepareRecord(side, record, photos, places);
      // Keys are derived when asked for, and not kept: only the record being matched needs them, not
      // the hundred partners prepared to score against it (a tenth of a match job's time went there),
      // and its job holds them (withKeys). Kept here, a re-match of every record would have left its
      // keys on each, 2.7 KB a report: 3 GB of heap at national scale.
      const subject: CachedSubject = {
        side,
        id,
        version,
        prepared,
        get keys() {
          return blockingKeys(prepared);
        },
        narrowing: narrowingOf(prepared),
        photosKey: photosKeyOf(photos),
      };
      cache.set(id, subject);
      return subject;
    },
    admits: (a, b) => ageWindowOverlaps(a.prepared, b.prepared),
    sharePhotograph: (a, b) => samePhotograph(a.prepared.photos, b.prepared.photos),
    score: (missing, found, termFrequency, reports) => pairScoreOf(missing, found, scorePair(missing.prepared, found.prepared, model, termFrequency, reports)),
    scoreAbove(missing, found, floor, termFrequency, reports) {
      const score = scoreAbove(missing.prepared, found.prepared, floor, model, termFrequency, reports);
      return score && pairScoreOf(missing, found, score);
    },
    scoreDuplicate: (a, b, floor) => scoreDuplicateAbove(a.prepared, b.prepared, floor, model),
    reopenReason(decided, now) {
      if (!decided) return null;
      const before = new Map(decided.map((entry) => [entry.comparison, entry]));
      const moved = now.filter((entry) => {
        const previous = before.get(entry.comparison);
        return previous && previous.level !== entry.level && entry.weight > previous.weight + 1e-9;
      });
      if (moved.length === 0) return null;
      return moved.map((entry) => `${entry.comparison} moved from ${before.get(entry.comparison)!.level} to ${entry.level}`).join('; ');
    },
    withModel: (other) => engineOn(other, cache, cacheSize),
  };
}
