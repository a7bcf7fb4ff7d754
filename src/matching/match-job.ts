// The `match` job: derive a record's keys, pull the other side's candidates by those keys, score
// them with the same model as `milap link`, and keep each record's best pairs current. Decisions
// are never reset: a re-match only refreshes scores, and a rejected pair reopens only when a
// comparison moved to a higher level, saying which.
import type pg from 'pg';
import { withTransaction } from '../db/database.ts';
import { perPool } from '../db/per-pool.ts';
import type { MatchJob } from '../jobs/queue.ts';
import { phoneticNamesOf, rankedBestOf } from '../../matchers/blocking.ts';
import type { ResolvedPlaces } from '../../matchers/prepare.ts';
import type { ChildRecord } from '../records/sides.ts';
import { withKeys, type MatchEngine, type PairScore, type Subject } from './engine.ts';
import { refreshDuplicates } from './duplicates.ts';
import { liveKeysOf, liveQueryOf, liveRecordOf } from './live-keys.ts';
import type { LiveKeyIndex } from '../../matchers/live-index.ts';
import { photoNeighbourhoodOf } from './photo-index.ts';
import * as store from './store.ts';

export interface MatchSettings {
  /** Pairs below this probability are not kept. */
  floor: number;
  /** Each record keeps at least its best `topK` pairs above the floor. */
  topK: number;
  /**
   * false: no key rows are written, each record's keys kept on its subject row instead, and every
   * search made in the keys in memory, which must be built (key-rows.ts; config.ts, MATCH_KEY_ROWS).
   * Unless false, jobs write them.
   */
  keyRows?: boolean;
}

export type MatchOutcome =
  | { outcome: 'gone' | 'stale' }
  | { outcome: 'inactive'; superseded: number }
  | { outcome: 'matched'; candidates: number; kept: number; reopened: number; duplicates: number };

/** The name-key counts this process has read from a database, shared by its workers. */
const nameKeyCountsOf = perPool(() => new store.NameKeyCounts());

/** The keys this process has read to be too common to admit a pair, shared by its workers. */
const tooCommonKeysOf = perPool(() => new store.TooCommonKeys());

/** What warmKeyCounts read: how many name keys' counts, how many keys closed so far, and where it counted them. */
interface KeyCounts {
  nameKeys: number;
  tooCommon: number;
  countedIn: 'database' | 'memory';
}

/**
 * Reads this process's counts of the common name keys, and its list of keys too common to admit a
 * pair, each in one pass (store.ts, warmNameKeyCounts and warmTooCommonKeys); not again, returning
 * null, when this process read them less than `unlessReadWithinMs` ago. Once every record's keys are
 * in this process's memory (live-keys.ts), the keys too common are counted there, and the name keys
 * as jobs need them (nameKeyFrequencies): at national scale the two passes over the key table took
 * 20–22 s of both of a 2-core server's processors (2026-12-04), every half hour in every worker
 * process, against 0.6 s in memory.
 */
export async function warmKeyCounts(pool: pg.Pool, unlessReadWithinMs = 0, keyRows = true): Promise<KeyCounts | null> {
  const read = keyCountsReadAt(pool);
  if (Date.now() - read.at < unlessReadWithinMs) return null;
  const tooCommon = tooCommonKeysOf(pool);
  const live = liveKeysOf(pool);
  // Where no key rows are written, the key table does not hold every record: counted in memory alone, once built.
  if (!live.ready && !keyRows) return null;
  let counts: KeyCounts;
  if (live.ready) {
    await live.catchUp(pool); // current to now, not to the last search
    counts = { nameKeys: 0, tooCommon: await store.closeTooCommonKeys(pool, tooCommon, live.index.tooCommonKeys()), countedIn: 'memory' };
  } else {
    counts = { nameKeys: await store.warmNameKeyCounts(pool, nameKeyCountsOf(pool)), tooCommon: await store.warmTooCommonKeys(pool, tooCommon), countedIn: 'database' };
  }
  // The keys in memory, built or being built, take the keys closed since they were read.
  live.close(tooCommon.keys());
  read.at = Date.now();
  return counts;
}

/** When this process last read its key counts from a database. */
const keyCountsReadAt = perPool(() => ({ at: -Infinity }));

/** Statuses in which a record still looks for its other half. */
export const activeStatus = { missing: 'open', found: 'in_care' } as const;

/** Matches one record: matchRecords for one. */
export async function matchRecord(pool: pg.Pool, engine: MatchEngine, settings: MatchSettings, job: MatchJob): Promise<MatchOutcome> {
  return (await matchRecords(pool, engine, settings, [job]))[0]!;
}

/**
 * When the pairs of records whose candidates moved are weighed again: `now`, after the match, as a
 * filing's or an edit's job does; `later`, marked due in the match's transaction and weighed once the
 * re-match's jobs are done (store.ts, reweighDue; workers.ts, reweighSweeper): a full re-match that
 * weighed after every pass weighed each pair many times over, most of its database's work; `every`,
 * not marked, the job one of a re-match that weighs every pair once its jobs are done (migrations/025).
 */
export type Reweigh = 'now' | 'later' | 'every';

/**
 * Matches records, several at once: those of one side in one transaction, each statement made for
 * all of them (a job's cost was mostly its two dozen round trips and their planning, paid per
 * record). Outcomes come in the order of `jobs`; a record named twice is matched once, at the
 * newest version asked for. Then the pairs of every record whose candidates moved are weighed
 * again, or marked due to be (`reweigh`).
 */
export async function matchRecords(pool: pg.Pool, engine: MatchEngine, settings: MatchSettings, jobs: readonly MatchJob[], reweigh: Reweigh = 'now'): Promise<MatchOutcome[]> {
  const changed: store.PairedRecords = { missing: [], found: [] };
  const outcomes = new Map<string, MatchOutcome>();
  for (const side of ['missing', 'found'] as const) {
    const latest = new Map<string, MatchJob>();
    for (const job of jobs) if (job.side === side && (latest.get(job.id)?.version ?? -1) < job.version) latest.set(job.id, job);
    if (!latest.size) continue;
    const batch = [...latest.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const [id, outcome] of await matchSideInTransaction(pool, engine, settings, side, batch, changed, reweigh)) outcomes.set(`${side}:${id}`, outcome);
  }
  // Every pair of the records, and of each record they were or are paired with, weighed again.
  if (reweigh === 'now') {
    const around = { missing: [...new Set(changed.missing)], found: [...new Set(changed.found)] };
    try {
      await store.refreshProbabilities(pool, around);
    } catch (error) {
      // The pairs moved and committed: the job's retry finds nothing moved, and would weigh nothing.
      // Marked due, a worker's sweep weighs them (workers.ts, reweighSweeper, within a minute).
      await store.markReweighDue(pool, around).catch(() => {});
      throw error;
    }
  }
  return jobs.map((job) => outcomes.get(`${job.side}:${job.id}`)!);
}

async function matchSideInTransaction(
  pool: pg.Pool,
  engine: MatchEngine,
  settings: MatchSettings,
  side: 'missing' | 'found',
  jobs: readonly MatchJob[],
  changed: store.PairedRecords,
  reweigh: Reweigh,
): Promise<Map<string, MatchOutcome>> {
  const before = { missing: changed.missing.length, found: changed.found.length };
  return withTransaction(pool, async (tx) => {
    const outcomes = new Map<string, MatchOutcome>();
    // One job per record at a time: two quick edits are matched in order, never interleaved. Taken
    // in id order (the batch is sorted), so two batches sharing records wait instead of deadlocking.
    // Locked and read in one round trip (store.ts, lockAndRead).
    const keyRows = settings.keyRows !== false;
    const reading = await store.lockAndRead(tx, side, jobs.map((job) => job.id), keyRows);
    // The keys in memory, once this process has built them (live-keys.ts), with what other processes
    // matched since it last looked: then the searches below are made there, not in the database.
    const live = liveKeysOf(pool);
    const index = live.ready ? live.index : null;
    // Where no key rows are written, the key table lacks records: never searched (workers.ts waits for the build).
    if (!index && !keyRows) throw new Error("no key rows are written (MATCH_KEY_ROWS=off), and this process has not read every record's keys into memory yet");
    if (index) await live.catchUp(tx);
    const stored = new Map(reading.records.map((record) => [record.id, record]));
    const photos = reading.photos;
    const saved: store.SubjectRow[] = [];
    const matching: Subject[] = [];
    const leaving: string[] = [];
    for (const job of jobs) {
      const record = stored.get(job.id);
      if (!record) {
        outcomes.set(job.id, { outcome: 'gone' });
        continue;
      }
      if (record.version > job.version) {
        outcomes.set(job.id, { outcome: 'stale' }); // the newer version's own job follows
        continue;
      }
      const subject = withKeys(engine.prepare(side, record.id, record.version, record.record as unknown as ChildRecord, photos.get(record.id) ?? [], record.places as ResolvedPlaces));
      // A record merged into another (a duplicate) has left matching, its history and decisions kept.
      const active = record.status === activeStatus[side] && !record.mergedInto;
      const row = { id: record.id, version: record.version, narrowing: subject.narrowing, active, keys: subject.keys };
      const keysDigest = store.keysDigestOf(row);
      saved.push({ ...row, keysDigest });
      // Held at once, as its keys are written below: the searches count it, as the database's do.
      index?.put(side, liveRecordOf(record.id, record.version, active, subject.narrowing, subject.keys), keysDigest);
      if (active) matching.push(subject);
      else leaving.push(record.id);
    }
    // Saved last (below), so the record counters don't hold them yet: term frequencies count them too.
    const { unsaved, keysKept } = store.storedSubjects(saved, reading.digests);
    // No row for a key closed for good, but for name keys (store.ts, TooCommonKeys).
    const closed = tooCommonKeysOf(pool);
    const written = (key: string) => closed.stored(key);
    if (keyRows) await store.replaceKeys(tx, side, saved.filter((subject) => !keysKept.has(subject.id)), unsaved, written);
    if (leaving.length) {
      // Their partners' pairs are weighed again (not in a re-match of every record, whose sweep weighs every pair).
      if (reweigh !== 'every') {
        const around = await store.recordsAround(tx, side === 'missing' ? leaving : [], side === 'found' ? leaving : []);
        changed.missing.push(...around.missing);
        changed.found.push(...around.found);
      }
      for (const id of leaving) outcomes.set(id, { outcome: 'inactive', superseded: await store.supersedePending(tx, side, id) });
    }
    if (matching.length) {
      // A re-match of every record (`every`) weighs each pair once, from its child's job: her search is
      // the one that admits, and a report's mirrors it, so the report's job would weigh the same pairs
      // again (at 100,000 x 30,000 exactly the same 4.2 million). A report whose keys moved (new rules
      // of the matchers) still searches for itself, as the children may have searched by its old keys.
      const crossing = reweigh === 'every' && side === 'missing' ? matching.filter((subject) => !keysKept.has(subject.id)) : matching;
      for (const [id, outcome] of await matchActive(pool, tx, engine, settings, side, matching, crossing, reweigh, unsaved.size, reading.population, changed, index)) outcomes.set(id, outcome);
    }
    // Marked in the transaction that moved the pairs: a crash after its commit loses no weighing.
    if (reweigh === 'later') await store.markReweighDue(tx, { missing: changed.missing.slice(before.missing), found: changed.found.slice(before.found) });
    // Saved last: a new record takes a shared counter's row lock here, held only to the commit.
    const xid = await store.saveSubjects(tx, side, saved, engine.modelVersion, keyRows ? null : { written });
    // The keys in memory hold these records already (put above): not read back as another's change.
    if (index && xid !== null) live.madeHere(xid);
    return outcomes;
  });
}

/**
 * Scores the candidates of the active records `weighing` (all of `matching`, or those of them whose
 * pairs are weighed here: matchSideInTransaction), keeps each record's best pairs (matchPairs), and
 * proposes the duplicates of all of `matching`; with `reweigh` `every`, as a job of a re-match of
 * every record, each pair weighed once (Reweigh).
 */
async function matchActive(
  pool: pg.Pool,
  tx: pg.PoolClient,
  engine: MatchEngine,
  settings: MatchSettings,
  side: 'missing' | 'found',
  matching: readonly Subject[],
  weighing: readonly Subject[],
  reweigh: Reweigh,
  unsaved: number,
  population: { records: number; reports: number },
  changed: store.PairedRecords,
  index: LiveKeyIndex | null,
): Promise<Map<string, MatchOutcome>> {
  // A child's job in a re-match of every record keeps every pair above the floor: her reports' best
  // few are among them, and the sweep keeps each record's best (store.ts, reweighEveryPair).
  const every = reweigh === 'every';
  const counts = weighing.length ? await matchPairs(pool, tx, engine, settings, side, weighing, every && side === 'found', reweigh === 'now', unsaved, population, changed, index) : new Map<string, PairCounts>();
  const duplicates = await refreshDuplicates(tx, engine, matching, index, tooCommonKeysOf(pool), every);
  const outcomes = new Map<string, MatchOutcome>();
  for (const subject of matching) outcomes.set(subject.id, { outcome: 'matched', ...(counts.get(subject.id) ?? { candidates: 0, kept: 0, reopened: 0 }), duplicates: duplicates.get(subject.id) ?? 0 });
  return outcomes;
}

/** What a record's match did with its pairs: candidates scored, pairs kept, rejected pairs reopened. */
interface PairCounts {
  candidates: number;
  kept: number;
  reopened: number;
}

/**
 * Scores these active records' candidates of the other side and keeps each record's best pairs
 * above the floor (`keepEvery`: every pair above it, for a sweep to keep each record's best);
 * `weigh`: each pair written at its competing probability, as the refresh after the job weighs it
 * (store.ts, upsertSql), which then does not write it again.
 */
async function matchPairs(
  pool: pg.Pool,
  tx: pg.PoolClient,
  engine: MatchEngine,
  settings: MatchSettings,
  side: 'missing' | 'found',
  subjects: readonly Subject[],
  keepEvery: boolean,
  weigh: boolean,
  unsaved: number,
  population: { records: number; reports: number },
  changed: store.PairedRecords,
  index: LiveKeyIndex | null,
): Promise<Map<string, PairCounts>> {
  const otherSide = side === 'missing' ? 'found' : 'missing';
  const photoIndex = photoNeighbourhoodOf(pool);
  const tooCommon = tooCommonKeysOf(pool);
  const queries: store.PartnerQuery[] = [];
  for (const subject of subjects) {
    // Keys known to be too common admit nobody: not searched (store.ts, TooCommonKeys).
    const keys = index ? subject.keys : subject.keys.filter((key) => !tooCommon.has(key));
    queries.push({ id: subject.id, keys, narrowing: subject.narrowing, photoNear: await photoIndex.recordsNear(tx, otherSide, subject.prepared.photos), rankedBest: rankedBestOf(subject.prepared) });
  }
  const partners = index
    ? await store.partnersOfHits(tx, side, queries, searchInMemory(index, side, subjects))
    : await store.candidatePartners(tx, side, queries);
  // Records being matched that the counters do not hold yet count too (a job saves its records last):
  // `milap link` counts every record it links. An unsaved report being matched is looked for.
  // Counted in the keys in memory when this process holds them: the database's count of a key read its
  // index, a quarter of the database's time while records were written.
  const frequencies = await store.nameKeyFrequencies(tx, [...new Set(subjects.flatMap((subject) => phoneticNamesOf(subject.keys)))], nameKeyCountsOf(pool), population.records + unsaved, index ? (key) => index.nameKeyCount(key) : undefined);
  const termFrequency = (key: string) => frequencies.get(key);
  const reports = population.reports + (side === 'missing' ? unsaved : 0);
  // Each record being matched, with its candidates counted and its pairs scored: one look-up a candidate.
  const tallies = new Map(subjects.map((subject) => [subject.id, { subject, candidates: 0, scored: [] as PairScore[] }]));
  /** New candidates given up as surely under the floor, as (missing, found). */
  const surelyUnder: [Subject, Subject][] = [];
  const prepared = await store.preparedInOrder(tx, engine, otherSide, partners);
  for (let at = 0; at < partners.length; at++) {
    const other = prepared[at];
    if (!other) continue; // gone since the search (records are not deleted, but the search and this read are apart)
    for (const link of partners[at]!.links) {
      const tally = tallies.get(link.subject)!;
      const subject = tally.subject;
      // Existing pairs are always rescored; new ones must pass the same narrowing as `milap link`:
      // a key that admits within the age window, or the same photograph whatever the keys say.
      if (!link.paired && !(link.admitted && engine.admits(subject, other)) && !(link.photoNear && engine.sharePhotograph(subject, other))) continue;
      tally.candidates++;
      const [missing, found] = side === 'missing' ? [subject, other] : [other, subject];
      // A new pair is kept only above the floor: one surely under it is not weighed to the end.
      const pair = link.paired ? engine.score(missing, found, termFrequency, reports) : engine.scoreAbove(missing, found, settings.floor, termFrequency, reports);
      if (pair) tally.scored.push(pair);
      else surelyUnder.push([missing, found]);
    }
  }
  const existing = await store.lockPairs(tx, side, subjects.map((subject) => subject.id));
  // A pair another worker stored since the search is an existing pair after all: weighed in full.
  // Looked up only for a partner with a pair stored: a key made for each candidate given up (most of
  // them, and a new record has no pair at all) was a hundredth of the workers' time in Node.
  const pairedPartners = new Set([...existing.values()].map((pair) => (side === 'missing' ? pair.foundId : pair.missingId)));
  for (const [missing, found] of surelyUnder) {
    if (!pairedPartners.has(side === 'missing' ? found.id : missing.id)) continue;
    if (existing.has(`${missing.id}:${found.id}`)) tallies.get(side === 'missing' ? missing.id : found.id)!.scored.push(engine.score(missing, found, termFrequency, reports));
  }
  const pairKey = (pair: PairScore) => `${pair.missingId}:${pair.foundId}`;
  const partnerOf = (pair: PairScore) => (side === 'missing' ? pair.foundId : pair.missingId);
  const keptPairs: string[] = [];
  const writes: store.PairWrite[] = [];
  // The partners of each record whose pair with it is new, weighs otherwise, came back or went:
  // their other pairs' competing probabilities move too (an unchanged pair moves nobody's).
  const moved = new Map<string, Set<string>>(subjects.map((subject) => [subject.id, new Set()]));
  const counts = new Map<string, PairCounts>();
  for (const subject of subjects) {
    const tally = tallies.get(subject.id)!;
    const pairs = tally.scored;
    const kept = pairs.filter((pair) => pair.probability >= settings.floor).sort((a, b) => b.probability - a.probability).slice(0, keepEvery ? undefined : settings.topK);
    const keptIds = new Set(kept.map(pairKey));
    keptPairs.push(...keptIds);
    let reopened = 0;
    for (const pair of pairs) {
      const current = existing.get(pairKey(pair));
      if (!current && !keptIds.has(pairKey(pair))) continue;
      const reopenBecause = current?.state === 'rejected' ? engine.reopenReason(current.decidedExplanation, pair.explanation) : null;
      if (reopenBecause) reopened++;
      if (!current || reopenBecause || current.matchWeight !== pair.matchWeight) moved.get(subject.id)!.add(partnerOf(pair));
      const write = { pair, explanation: store.explanationDigestOf(pair.explanation), reopenBecause, live: !current || reopenBecause !== null || current.live };
      // Stored as it is already (the second of a full re-match's two meetings with each pair): not written again.
      if (!current || !store.storedAlready(current, write, engine.modelVersion)) writes.push(write);
    }
    counts.set(subject.id, { candidates: tally.candidates, kept: kept.length, reopened });
  }
  await store.upsertPairs(tx, writes.sort((a, b) => (pairKey(a.pair) < pairKey(b.pair) ? -1 : 1)), engine.modelVersion, weigh);
  for (const { subject, partner } of await store.dropUnwantedPending(tx, side, subjects.map((s) => s.id), keptPairs, settings)) moved.get(subject)!.add(partner);
  for (const [id, partnersMoved] of moved) {
    // No pair moved: no sum changed, so no probability did (a re-match of an unchanged record).
    if (!partnersMoved.size) continue;
    changed[side].push(id);
    changed[otherSide].push(...partnersMoved);
  }
  return counts;
}

/** The partners the keys in memory admit for each record being matched, by the rule of the database's search (store.ts, candidatePartners). */
function searchInMemory(index: LiveKeyIndex, side: 'missing' | 'found', subjects: readonly Subject[]): store.KnownHits {
  const known: store.KnownHits = { hits: [], floors: [] };
  for (const subject of subjects) {
    const query = liveQueryOf(subject);
    if (side === 'found') {
      const { reports, floor } = index.partnersOfChild(query, rankedBestOf(subject.prepared));
      index.setFloor(subject.id, floor);
      known.floors.push({ subject: subject.id, floor });
      for (const { id, version } of reports) known.hits.push({ subject: subject.id, record: id, version });
    } else {
      for (const { id, version } of index.partnersOfReport(query)) known.hits.push({ subject: subject.id, record: id, version });
    }
  }
  return known;
}
