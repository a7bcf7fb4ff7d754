// The `match` job: derive a record's keys, pull the other side's candidates by those keys, score
// them with the same model as `milap link`, and keep each record's best pairs current. Decisions
// are never reset: a re-match only refreshes scores, and a rejected pair reopens only when a
// comparison moved to a higher level, saying which.
import type pg from 'pg';
import { withTransaction } from '../db/database.ts';
import { perPool } from '../db/per-pool.ts';
import type { MatchJob } from '../jobs/queue.ts';
import { findRecord } from '../records/repository.ts';
import { sides, type ChildRecord } from '../records/sides.ts';
import type { MatchEngine, PairScore, Subject } from './engine.ts';
import { refreshDuplicates } from './duplicates.ts';
import { photoNeighbourhoodOf } from './photo-index.ts';
import * as store from './store.ts';

export interface MatchSettings {
  /** Pairs below this probability are not kept. */
  floor: number;
  /** Each record keeps at least its best `topK` pairs above the floor. */
  topK: number;
}

export type MatchOutcome =
  | { outcome: 'gone' | 'stale' }
  | { outcome: 'inactive'; superseded: number }
  | { outcome: 'matched'; candidates: number; kept: number; reopened: number; duplicates: number };

/** The phonetic keys of the record's child, father and mother names (what term frequencies are needed for). */
const nameKeysOf = (subject: Subject) => [...new Set(subject.keys.filter((key) => /^[nfm]:/.test(key)).map((key) => key.slice(2)))];

/** The name-key counts this process has read from a database, shared by its workers. */
const nameKeyCountsOf = perPool(() => new store.NameKeyCounts());

/** Reads this process's counts of the common name keys at once (store.ts, warmNameKeyCounts). */
export const warmNameKeyCounts = (pool: pg.Pool): Promise<number> => store.warmNameKeyCounts(pool, nameKeyCountsOf(pool));

/** Statuses in which a record still looks for its other half. */
const activeStatus = { missing: 'open', found: 'in_care' } as const;

export async function matchRecord(pool: pg.Pool, engine: MatchEngine, settings: MatchSettings, job: MatchJob): Promise<MatchOutcome> {
  const changed: store.PairedRecords = { missing: [], found: [] };
  const outcome = await matchInTransaction(pool, engine, settings, job, changed);
  // Every pair of the record, and of each record it was or is paired with, weighed again.
  await store.refreshProbabilities(pool, changed);
  return outcome;
}

async function matchInTransaction(pool: pg.Pool, engine: MatchEngine, settings: MatchSettings, job: MatchJob, changed: store.PairedRecords): Promise<MatchOutcome> {
  return withTransaction(pool, async (tx) => {
    // One job per record at a time: two quick edits are matched in order, never interleaved.
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`match:${job.side}:${job.id}`]);
    const side = sides[job.side];
    const stored = await findRecord(tx, side, job.id);
    if (!stored) return { outcome: 'gone' };
    if (stored.version > job.version) return { outcome: 'stale' }; // the newer version's own job follows
    const record = stored.record as unknown as ChildRecord;
    const subject = engine.prepare(job.side, stored.id, stored.version, record, await store.photoHashesOf(tx, job.side, stored.id));
    // A record merged into another (a duplicate) has left matching, its history and decisions kept.
    const active = stored.status === activeStatus[job.side] && !stored.mergedInto;
    await store.saveSubject(tx, job.side, stored.id, stored.version, subject.narrowing, active, engine.modelVersion);
    await store.replaceKeys(tx, job.side, stored.id, subject.keys, subject.narrowing, active);
    if (!active) {
      Object.assign(changed, await store.recordsAround(tx, job.side === 'missing' ? [stored.id] : [], job.side === 'found' ? [stored.id] : []));
      return { outcome: 'inactive', superseded: await store.supersedePending(tx, job.side, stored.id) };
    }

    const otherSide = job.side === 'missing' ? 'found' : 'missing';
    const partners = await store.candidatePartners(tx, otherSide, stored.id, subject.keys, job.side, await photoNeighbourhoodOf(pool).recordsNear(tx, otherSide, subject.prepared.photos));
    const frequencies = await store.nameKeyFrequencies(tx, nameKeysOf(subject), nameKeyCountsOf(pool));
    const termFrequency = (key: string) => frequencies.get(key);
    const scored: PairScore[] = [];
    for (const partner of partners) {
      const other = engine.prepare(otherSide, partner.id, partner.version, partner.record as unknown as ChildRecord, partner.photos);
      // Existing pairs are always rescored; new ones must pass the same narrowing as `milap link`:
      // a key that admits within the age window, or the same photograph whatever the keys say.
      if (!partner.paired && !(partner.admitted && engine.admits(subject, other)) && !(partner.photoNear && engine.sharePhotograph(subject, other))) continue;
      scored.push(job.side === 'missing' ? engine.score(subject, other, termFrequency) : engine.score(other, subject, termFrequency));
    }
    const kept = scored.filter((pair) => pair.probability >= settings.floor).sort((a, b) => b.probability - a.probability).slice(0, settings.topK);
    const keptIds = new Set(kept.map((pair) => `${pair.missingId}:${pair.foundId}`));
    const existing = await store.lockPairs(tx, job.side, stored.id);
    let reopened = 0;
    // The partners whose pair with this record is new, weighs otherwise, came back or went: their
    // other pairs' competing probabilities move too (an unchanged pair moves nobody's).
    const moved = new Set<string>();
    const partnerOf = (pair: PairScore) => (job.side === 'missing' ? pair.foundId : pair.missingId);
    for (const pair of scored.sort((a, b) => (a.missingId + a.foundId < b.missingId + b.foundId ? -1 : 1))) {
      const current = existing.get(`${pair.missingId}:${pair.foundId}`);
      if (!current && !keptIds.has(`${pair.missingId}:${pair.foundId}`)) continue;
      const reopenBecause = current?.state === 'rejected' ? engine.reopenReason(current.decidedExplanation, pair.explanation) : null;
      if (reopenBecause) reopened++;
      if (!current || reopenBecause || current.matchWeight !== pair.matchWeight) moved.add(partnerOf(pair));
      await store.upsertPair(tx, pair, engine.modelVersion, reopenBecause);
    }
    for (const partner of await store.dropUnwantedPending(tx, job.side, stored.id, [...keptIds], settings)) moved.add(partner);
    // No pair moved: no sum changed, so no probability did (a re-match of an unchanged record).
    if (moved.size) {
      changed[job.side].push(stored.id);
      changed[otherSide].push(...moved);
    }
    const duplicates = await refreshDuplicates(tx, engine, subject);
    return { outcome: 'matched', candidates: scored.length, kept: kept.length, reopened, duplicates };
  });
}
