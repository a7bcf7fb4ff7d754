// SQL of the match worker: the subjects and keys it derives, and the candidate pairs it keeps.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { QueryResult } from 'pg';
import { ageWindowYears, keyLimit, keyLimits, keyReach, keyTooCommon, middleBounds, rankAgeWeights, rankTimeWeights, rankWeights, storedWhenClosed } from '../../matchers/blocking.ts';
import { matcherVersion } from '../../matchers/version.ts';
import { duplicatesPerRecord } from '../../matchers/duplicates.ts';
import { timeBounds } from '../../matchers/age.ts';
import type { PhotoHash } from '../../matchers/photos/evidence.ts';
import type { ResolvedPlaces } from '../../matchers/prepare.ts';
import { PDQ_MIN_QUALITY } from '../../matchers/photos/pdq.ts';
import { withTransaction } from '../db/database.ts';
import { preparedQuery } from '../db/prepared.ts';
import { findRecordsSql, type Queryable, type StoredRecord } from '../records/repository.ts';
import { sides, type ChildRecord } from '../records/sides.ts';
import type { Explanation, MatchEngine, Narrowing, PairScore, Subject } from './engine.ts';

type Side = 'missing' | 'found';
const tableOf = { missing: 'missing_report', found: 'found_child' } as const;
const pairColumn = { missing: 'missing_id', found: 'found_id' } as const;

/** What a match job stores of each record it matched: its version, narrowing facts and activity. */
export interface SubjectRow {
  id: string;
  version: number;
  narrowing: Narrowing;
  active: boolean;
  keys: string[];
  /** keysDigestOf the row, worked out once a job: the subject row stores it, and the keys in memory compare it (matchers/live-index.ts, put). */
  keysDigest: string;
}

/** The keys of a record that are stored, each once: those `written` says (TooCommonKeys.stored), as key rows (replaceKeys) or on its subject row (saveSubjects). */
export const storedKeys = (keys: readonly string[], written: (key: string) => boolean): string[] => [...new Set(keys)].filter(written);

/** The ASCII unit separator, which no key holds: a record's keys pass to saveSubjects joined by it. */
const keySeparator = '\x1f';

/**
 * Saves the records' narrowing facts, in one statement. A match job saves them last, just before it
 * commits: a new record bumps one of the shared record counters (migrations/009), whose row lock is
 * held to the commit, and saved first it made every job drawing the same counter wait for the other's
 * whole match (41 ms a job with 8 workers). Returns the id of the transaction that saved them (the
 * changed_xid of the rows that changed), as text; null when there were none.
 *
 * `keysHeld`: the records' keys are saved on their subject rows, as a job whose keys are held in
 * memory alone keeps them (migrations/028; `written` says which, as replaceKeys); else the rows say
 * their keys are in the key table, which the job wrote (replaceKeys).
 */
export async function saveSubjects(db: Queryable, side: Side, subjects: readonly SubjectRow[], modelVersion: string, keysHeld: { written: (key: string) => boolean } | null = null): Promise<string | null> {
  if (!subjects.length) return null;
  const { rows } = await db.query<{ xid: string }>(preparedQuery(
    // changed_xid: other processes read the records matched since they last looked (live-keys.ts).
    // Only a record that changed for them: another version, other keys or narrowing, or a rank floor
    // this transaction wrote (the floor's row is then its own). A re-match that changed nothing was
    // read back by every other worker process: its seventy-odd keys aggregated by the database,
    // parsed, and looked up again, for each record of a full re-match.
    `WITH saved AS (INSERT INTO match_subject (side, record_id, version, sex, born_from, born_to, active, model_version, changed_xid, keys_digest, matcher_version, keys, event_day)
     SELECT $1, s.id, s.version, s.sex, s.born_from, s.born_to, s.active, $8, pg_current_xact_id(), s.digest, ${matcherVersion}, string_to_array(s.keys, chr(31)), s.event_day
       FROM unnest($2::uuid[], $3::int[], $4::text[], $5::date[], $6::date[], $7::bool[], $9::uuid[], $10::text[], $11::date[]) AS s(id, version, sex, born_from, born_to, active, digest, keys, event_day)
     ON CONFLICT (side, record_id) DO UPDATE SET keys = excluded.keys, event_day = excluded.event_day, version = excluded.version, sex = excluded.sex, born_from = excluded.born_from,
       born_to = excluded.born_to, active = excluded.active, model_version = excluded.model_version, matched_at = clock_timestamp(),
       changed_xid = CASE WHEN (match_subject.version, match_subject.sex, match_subject.born_from, match_subject.born_to, match_subject.active, match_subject.keys_digest)
                                IS NOT DISTINCT FROM (excluded.version, excluded.sex, excluded.born_from, excluded.born_to, excluded.active, excluded.keys_digest)
                           AND NOT EXISTS (SELECT 1 FROM match_rank_floor f WHERE f.record_id = excluded.record_id AND f.xmin = pg_current_xact_id()::xid)
                          THEN match_subject.changed_xid ELSE excluded.changed_xid END,
       keys_digest = excluded.keys_digest, matcher_version = excluded.matcher_version)
     SELECT pg_current_xact_id()::text AS xid`,
    [
      side,
      subjects.map((s) => s.id),
      subjects.map((s) => s.version),
      subjects.map((s) => s.narrowing.sex),
      subjects.map((s) => s.narrowing.bornFrom),
      subjects.map((s) => s.narrowing.bornTo),
      subjects.map((s) => s.active),
      modelVersion,
      subjects.map((s) => s.keysDigest),
      subjects.map((s) => (keysHeld ? storedKeys(s.keys, keysHeld.written).join(keySeparator) : null)),
      subjects.map((s) => (keysHeld ? s.narrowing.eventDay : null)),
    ],
  ));
  return rows[0]!.xid;
}

/**
 * Makes the records' key rows what their records carry now, each with its record's birth interval
 * and activity (migrations/012). A record never matched (`unsaved`: no subject row, so no key rows,
 * as both are written only together, here and in saveSubjects) has its rows inserted plainly: an
 * insert that may meet a row already there looks for it in the key index before inserting, and a
 * new record's forty-odd rows were the database's largest statement while records were filed. For
 * the others, in two statements: keys no longer carried go, new ones come, and a key row whose
 * record's interval or activity changed is updated. A re-match of an unchanged record writes
 * nothing: deleting and inserting its forty keys again cost index insertions and dead rows for
 * vacuum to clear, in every job; and a match job leaves out the records whose rows hold what they
 * carry already (storedSubjects), whose sixty keys each cost a look in the key index. `written`: the
 * keys whose rows are written (TooCommonKeys.stored: a key closed for good has none written from then
 * on, and an edit's delete takes the record's old row for it).
 */
export async function replaceKeys(db: Queryable, side: Side, subjects: readonly SubjectRow[], unsaved: ReadonlySet<string> = new Set(), written: (key: string) => boolean = () => true) {
  const rowsOf = (list: readonly SubjectRow[]) =>
    list.flatMap((s) => storedKeys(s.keys, written).map((key) => [s.id, key, s.narrowing.bornFrom, s.narrowing.bornTo, s.active, s.narrowing.eventDay] as const));
  const columns = (rows: ReturnType<typeof rowsOf>) => [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3]), rows.map((r) => r[4]), rows.map((r) => r[5])];
  const insert = `INSERT INTO match_key (side, record_id, key, born_from, born_to, active, event_day)
     SELECT $1, k.id, k.key, k.born_from, k.born_to, k.active, k.event_day
       FROM unnest($2::uuid[], $3::text[], $4::date[], $5::date[], $6::bool[], $7::date[]) AS k(id, key, born_from, born_to, active, event_day)`;
  const fresh = rowsOf(subjects.filter((s) => unsaved.has(s.id)));
  if (fresh.length) await db.query(insert, [side, ...columns(fresh)]);
  const stored = subjects.filter((s) => !unsaved.has(s.id));
  if (!stored.length) return;
  const rows = rowsOf(stored);
  await db.query(
    `DELETE FROM match_key m WHERE m.side = $1 AND m.record_id = ANY($2::uuid[])
        AND NOT EXISTS (SELECT 1 FROM unnest($3::uuid[], $4::text[]) AS k(id, key) WHERE k.id = m.record_id AND k.key = m.key)`,
    [side, stored.map((s) => s.id), rows.map((r) => r[0]), rows.map((r) => r[1])],
  );
  if (!rows.length) return;
  await db.query(
    `${insert}
     ON CONFLICT (side, key, record_id) DO UPDATE SET born_from = excluded.born_from, born_to = excluded.born_to, active = excluded.active, event_day = excluded.event_day
      WHERE (match_key.born_from, match_key.born_to, match_key.active, match_key.event_day) IS DISTINCT FROM (excluded.born_from, excluded.born_to, excluded.active, excluded.event_day)`,
    [side, ...columns(rows)],
  );
}

/**
 * A record left the search (matched, restored, withdrawn): its undecided pairs are superseded. Locked
 * first in id order, as lockPairs and refreshProbabilities lock pairs: updated in the order its scan
 * met them, it could hold the pair a refresh wanted next while waiting for one the refresh held.
 */
export async function supersedePending(db: Queryable, side: Side, id: string): Promise<number> {
  const result = await db.query(
    `UPDATE candidate_pair SET state = 'superseded', updated_at = clock_timestamp()
      WHERE id IN (SELECT id FROM candidate_pair WHERE ${pairColumn[side]} = $1 AND state = 'pending' ORDER BY id FOR UPDATE)
        AND state = 'pending'`,
    [id],
  );
  return result.rowCount ?? 0;
}

/** How a record of the other side came to be a partner of one record being matched. */
export interface PartnerLink {
  /** The record being matched. */
  subject: string;
  /** Already paired with it (rescored whatever its keys say now). */
  paired: boolean;
  /** Shares a key that admits the pair under the rule of matchers/blocking.ts, within the age window. */
  admitted: boolean;
  /** Has a photo within PDQ's match distance of a turn or mirror of one of its photos. */
  photoNear: boolean;
}

/** A partner as the search finds it: its body is read apart, and only when the worker has not prepared this version (recordBodies). */
export interface Partner {
  id: string;
  version: number;
  /** The partner's usable photo hashes (left out: as the worker prepared it, or read with its body). */
  photos?: PhotoHash[];
  /** The records being matched this record is a partner of, and how. */
  links: PartnerLink[];
}

/** What the partner search needs of each record being matched. */
export interface PartnerQuery {
  id: string;
  keys: string[];
  narrowing: Narrowing;
  /** Records of the other side with a photo near one of this record's (the worker's photo index, photo-index.ts). */
  photoNear: readonly string[];
  /** A found child's: how many of the reports her over-limit keys rank are admitted (matchers/blocking.ts, rankedBestOf). */
  rankedBest: number;
}

/**
 * A digest of what a record's key rows hold: its keys, birth interval, event day and activity. A
 * match saves it with the subject row, and the next match of the record writes its keys only when
 * the digest differs.
 */
export function keysDigestOf(subject: Pick<SubjectRow, 'keys' | 'narrowing' | 'active'>): string {
  const { bornFrom, bornTo, eventDay } = subject.narrowing;
  return digestOf(`${subject.active}|${bornFrom}|${bornTo}|${eventDay}|${[...new Set(subject.keys)].sort().join(' ')}`);
}

/** The MD5 digest of `text`, as a uuid (as the database stores it and gives it back). */
export function digestOf(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A pair's explanation as candidate_explanation and duplicate_pair store it: JSON of [comparison,
 * level, weight] entries, a third of the bytes of the objects as jsonb (migrations/027).
 */
export const storedExplanationOf = (explanation: Explanation): string => JSON.stringify(explanation.map((entry) => [entry.comparison, entry.level, entry.weight]));

/** An explanation as candidate_explanation and duplicate_pair hold it (storedExplanationOf), parsed. */
export type StoredExplanation = readonly (readonly [string, string, number])[];

/** An explanation as candidate_explanation and duplicate_pair hold it (storedExplanationOf), as the service shows it. */
export const explanationOfStored = (stored: StoredExplanation): Explanation => stored.map(([comparison, level, weight]) => ({ comparison, level, weight }));

/** A pair's explanation as upsertPairs stores it (storedExplanationOf), and its digest, stored beside the pair's scores (migrations/023). */
export function explanationDigestOf(explanation: Explanation): { json: string; digest: string } {
  const json = storedExplanationOf(explanation);
  return { json, digest: digestOf(json) };
}

/**
 * Of these records, those with no subject row yet (never matched, so no key rows either), and those
 * whose key rows already hold what they carry now (keysDigestOf); `stored`: the digest of each subject
 * row they have (lockAndRead).
 */
export function storedSubjects(subjects: readonly SubjectRow[], stored: ReadonlyMap<string, string | null>): { unsaved: Set<string>; keysKept: Set<string> } {
  return {
    unsaved: new Set(subjects.filter((s) => !stored.has(s.id)).map((s) => s.id)),
    keysKept: new Set(subjects.filter((s) => stored.get(s.id) === s.keysDigest).map((s) => s.id)),
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An SQL array literal of these uuids (each checked to be one): lockAndRead's statements take no parameters. */
function uuidArray(ids: readonly string[]): string {
  for (const id of ids) if (!uuidPattern.test(id)) throw new Error(`not a record id: ${JSON.stringify(id)}`);
  return `'{${ids.join(',')}}'::uuid[]`;
}

/** What a match of some records of one side reads before it derives anything (lockAndRead). */
export interface MatchReading {
  records: StoredRecord[];
  /** Each record's usable photo hashes (photoHashesOfMany). */
  photos: Map<string, PhotoHash[]>;
  /** The keys digest of each record's subject row, for those that have one (storedSubjects). */
  digests: Map<string, string | null>;
  population: { records: number; reports: number };
}

/**
 * Takes the match lock of each record (in the order given, as the caller sorted them), then reads
 * them, their photos, their subject rows' digests and the population (matchPopulation): five
 * statements sent as one simple query, one round trip instead of five. Each statement of such a query
 * runs to its end before the next begins, with a snapshot of its own, so the reads see what the
 * lock's last holder committed. A single match job's statements were a round trip each, 0.4 to 1 ms
 * apiece on a busy machine, most of its time.
 */
export async function lockAndRead(db: Queryable, side: Side, ids: readonly string[], keyRows = true): Promise<MatchReading> {
  const array = uuidArray(ids);
  // Where key rows are written, a record whose keys its subject row holds (migrations/028: written by
  // a process that keeps them in memory alone) has no rows that say them: its rows are written anew.
  const digest = keyRows ? 'CASE WHEN keys IS NULL THEN keys_digest END' : 'keys_digest';
  const results = (await db.query(
    [
      `SELECT pg_advisory_xact_lock(hashtextextended('match:${side}:' || k, 0)) FROM unnest(${array}) WITH ORDINALITY AS u(k, n) ORDER BY n`,
      findRecordsSql(sides[side], array),
      photoHashesSql(side, array),
      `SELECT record_id AS id, ${digest} AS digest FROM match_subject WHERE side = '${side}' AND record_id = ANY(${array})`,
      populationSql,
    ].join(';\n'),
  )) as unknown as [QueryResult, QueryResult<StoredRecord>, QueryResult<PhotoHash & { recordId: string }>, QueryResult<{ id: string; digest: string | null }>, QueryResult<{ records: number; reports: number }>];
  const [, records, photos, digests, population] = results;
  return { records: records.rows, photos: photosByRecord(photos.rows), digests: new Map(digests.rows.map((row) => [row.id, row.digest])), population: population.rows[0]! };
}

/** Usable photo hashes of a record, in upload order (what matchers/prepare.ts takes). */
export async function photoHashesOf(db: Queryable, side: Side, id: string): Promise<PhotoHash[]> {
  return (await photoHashesOfMany(db, side, [id])).get(id) ?? [];
}

/** Usable photo hashes of each of these records, in upload order; records without any are left out. */
export async function photoHashesOfMany(db: Queryable, side: Side, ids: readonly string[]): Promise<Map<string, PhotoHash[]>> {
  return photosByRecord((await db.query<PhotoHash & { recordId: string }>(photoHashesSql(side, '$1::uuid[]'), [ids])).rows);
}

/** SQL: the usable photo hashes of the records of a side whose ids are in `ids` (an SQL uuid[]), in upload order. */
const photoHashesSql = (side: Side, ids: string) =>
  `SELECT record_id AS "recordId", pdq AS hash, pdq_variants AS variants FROM photo
    WHERE side = '${side}' AND record_id = ANY(${ids}) AND pdq_quality >= ${PDQ_MIN_QUALITY} ORDER BY uploaded_at, id`;

function photosByRecord(rows: readonly (PhotoHash & { recordId: string })[]): Map<string, PhotoHash[]> {
  const hashes = new Map<string, PhotoHash[]>();
  for (const { recordId, ...hash } of rows) (hashes.get(recordId) ?? hashes.set(recordId, []).get(recordId)!).push(hash);
  return hashes;
}

/** The rank weights of matchers/blocking.ts as a SQL array (parameter $10 of the partner search): element n is the weight of a key n reports carry. */
const rankWeightParam = Array.from(rankWeights.subarray(1));

/** SQL: the rank weight of a key that `n` reports carry within a child's window, from rankWeightParam. */
const rankWeight = (n: string) => `($10::int[])[${n}::int]`;

/**
 * SQL: matchers/blocking.ts rankDateWeightOfDays for a report's key row (alias `r`: born_from,
 * born_to, event_day) and a child (`c`: born_from, born_to; her event day `day`), in whole days as
 * the matchers count them: the time levels by timeBounds; overlapping birth intervals are 'close'
 * when their summed ends lie within middleBounds.close days, and so on; intervals apart weigh nothing.
 */
export const rankDateSql = (r: string, c: string, day: string) => {
  const days = `(${day} - ${r}.event_day)`;
  const apart = `abs((${r}.born_from - ${c}.born_from) + (${r}.born_to - ${c}.born_to))`;
  return `(CASE WHEN ${days} < -${timeBounds.slack} THEN ${rankTimeWeights.before} WHEN ${days} <= ${timeBounds.month} THEN ${rankTimeWeights.within_month}
                WHEN ${days} <= ${timeBounds.year} THEN ${rankTimeWeights.within_year} ELSE ${rankTimeWeights.later} END
         + CASE WHEN ${r}.born_from IS NULL OR ${c}.born_from IS NULL THEN ${rankAgeWeights.unknown}
                WHEN greatest(${r}.born_from, ${c}.born_from) > least(${r}.born_to, ${c}.born_to) THEN ${rankAgeWeights.within_2y}
                WHEN ${apart} <= ${middleBounds.close} THEN ${rankAgeWeights.close} WHEN ${apart} <= ${middleBounds.near} THEN ${rankAgeWeights.near}
                WHEN ${apart} <= ${middleBounds.overlap} THEN ${rankAgeWeights.overlap} ELSE ${rankAgeWeights.far_overlap} END)`;
};

/** The age window of matchers/blocking.ts in whole days, as the candidate index applies it. */
const windowDays = Math.floor(ageWindowYears * 365.25);

/**
 * The record aliased `m` lies within the age window of the record aliased `f`, as
 * ageWindowOverlaps says (records without an age always count): key rows against the subject
 * being matched, here and in the duplicates search.
 */
export const inWindow = (m: string, f: string) =>
  `(${m}.born_from IS NULL OR ${f}.born_from IS NULL OR (${m}.born_to >= ${f}.born_from - ${windowDays} AND ${m}.born_from <= ${f}.born_to + ${windowDays}))`;

/** What a search needs of each record being matched: its id, birth interval and keys. */
type SearchSubject = Pick<PartnerQuery, 'id' | 'keys' | 'narrowing'>;

/**
 * SQL: the records being matched (`me`: subject, born_from, born_to) and each of their keys with the
 * key's limit (`l`: subject, key, lim), from the six parameters from `$first` that subjectParams makes.
 */
export const subjectInputs = (first: number) =>
  `me AS MATERIALIZED (SELECT * FROM unnest($${first}::uuid[], $${first + 1}::date[], $${first + 2}::date[], $${first + 3}::date[]) AS me(subject, born_from, born_to, event_day)),
   l AS MATERIALIZED (SELECT * FROM unnest($${first + 4}::uuid[], $${first + 5}::text[], $${first + 6}::int[]) AS l(subject, key, lim))`;

/** The seven parameters of subjectInputs. */
export function subjectParams(subjects: readonly SearchSubject[]): unknown[] {
  const keyRows = subjects.flatMap((s) => s.keys.map((key) => [s.id, key, keyLimit(key)] as const));
  return [
    subjects.map((s) => s.id),
    subjects.map((s) => s.narrowing.bornFrom),
    subjects.map((s) => s.narrowing.bornTo),
    subjects.map((s) => s.narrowing.eventDay),
    keyRows.map((r) => r[0]),
    keyRows.map((r) => r[1]),
    keyRows.map((r) => r[2]),
  ];
}

/**
 * The other side's active records that the blocking rule admits as partners of each record being
 * matched, plus every record already paired with one of them, in one statement for all of them. The
 * rule is `milap link`'s, which weighs a shared key by how many missing reports carry it within the
 * found child's age window (matchers/link.ts candidatesOf): for a found child that is one count per
 * key; for a missing report, one per key and found child. A found child's keys over their limit
 * rank the reports they reach, and admit her best (matchers/blocking.ts, rankedBestOf); her search
 * saves the score just past them as her rank floor (migrations/014), and a report's search admits
 * it when its own score for her is above that floor. A partner of several records being matched
 * comes once, with a link to each.
 */
export async function candidatePartners(db: Queryable, side: Side, subjects: readonly PartnerQuery[]): Promise<Partner[]> {
  if (!subjects.length) return [];
  const nearRows = subjects.flatMap((s) => s.photoNear.map((record) => [s.id, record] as const));
  const admittedSql =
    side === 'found'
      ? `counted AS MATERIALIZED (
           -- Each key in one read of its index entries, stopping one past keyReach times its limit: how
           -- many reports carry it at all (more than that: too common, left out), and how many active
           -- ones within the child's window (at most its limit: the key admits them; more: it ranks).
           SELECT l.subject, l.key, l.lim, c.n FROM l JOIN me f USING (subject)
             CROSS JOIN LATERAL (
               SELECT count(*) AS total, count(*) FILTER (WHERE k.active AND ${inWindow('k', 'f')}) AS n FROM (
                 SELECT k.active, k.born_from, k.born_to FROM match_key k
                  WHERE k.side = 'missing' AND k.key = l.key LIMIT l.lim * ${keyReach} + 1) AS k) AS c
            WHERE c.total <= l.lim * ${keyReach}
         ),
         -- Ranked admission (matchers/blocking.ts, rankedBestOf): each report the child's over-limit keys
         -- carry within her window, scored by those keys' rank weights ($10, by how many they carry) and what the dates say (rankDateSql).
         scored AS MATERIALIZED (
           SELECT subject, record_id, keys + ${rankDateSql('r', 'f', 'f.event_day')} AS score FROM (
             SELECT c.subject, k.record_id, sum(${rankWeight('c.n')}) AS keys,
                    min(k.born_from) AS born_from, min(k.born_to) AS born_to, min(k.event_day) AS event_day
               FROM counted c JOIN me f USING (subject)
               JOIN match_key k ON k.side = 'missing' AND k.key = c.key AND k.active AND ${inWindow('k', 'f')}
              WHERE c.n > c.lim
              GROUP BY c.subject, k.record_id) AS r JOIN me f USING (subject)
         ),
         -- Each child's rank floor, the score of the report just past her best (0 when there is none):
         -- those above it are admitted, and a report matched later is when it scores above it (the
         -- missing side's search below).
         floors AS MATERIALIZED (
           SELECT me.subject, coalesce((SELECT s.score FROM scored s WHERE s.subject = me.subject ORDER BY s.score DESC OFFSET b.best LIMIT 1), 0) AS floor
             FROM me JOIN unnest($1::uuid[], $11::int[]) AS b(subject, best) USING (subject)
         ),
         saved_floors AS (
           INSERT INTO match_rank_floor (record_id, floor) SELECT subject, floor FROM floors
           ON CONFLICT (record_id) DO UPDATE SET floor = excluded.floor WHERE match_rank_floor.floor <> excluded.floor
         ),
         hits AS (
           SELECT DISTINCT c.subject, k.record_id FROM counted c JOIN me f USING (subject)
             JOIN match_key k ON k.side = 'missing' AND k.key = c.key AND k.active AND ${inWindow('k', 'f')}
            WHERE c.n <= c.lim
           UNION
           SELECT s.subject, s.record_id FROM scored s JOIN floors f USING (subject) WHERE s.score > f.floor
         )`
      : `keys AS MATERIALIZED (
           -- Each key in one read of its index entries, stopping one past keyReach times its limit
           -- (matchers/blocking.ts, keyTooCommon): how many reports carry it at all (more than that:
           -- too common, left out; a key on thousands of reports costs a short index scan and no look
           -- at their records), and how many active ones (all of them were read when it is not).
           SELECT d.key, d.lim, c.carriers FROM (SELECT DISTINCT key, lim FROM l) AS d
             CROSS JOIN LATERAL (
               SELECT count(*) AS total, count(*) FILTER (WHERE k.active) AS carriers FROM (
                 SELECT k.active FROM match_key k WHERE k.side = 'missing' AND k.key = d.key LIMIT d.lim * ${keyReach} + 1) AS k) AS c
            WHERE c.total <= d.lim * ${keyReach}
         ),
         shared AS MATERIALIZED (
           SELECT l.subject, k.key, k.record_id, k.born_from, k.born_to, k.event_day, ks.lim, ks.carriers
             FROM l JOIN keys ks ON ks.key = l.key JOIN me m ON m.subject = l.subject
             JOIN match_key k ON k.side = 'found' AND k.key = l.key AND k.active AND ${inWindow('m', 'k')}
         ),
         -- A key few enough reports carry at all admits every child it reaches, whatever the window.
         cheap AS MATERIALIZED (SELECT DISTINCT subject, record_id FROM shared WHERE carriers <= lim),
         rest AS MATERIALIZED (
           SELECT s.* FROM shared s WHERE s.carriers > s.lim
              AND NOT EXISTS (SELECT 1 FROM cheap c WHERE c.subject = s.subject AND c.record_id = s.record_id)
         ),
         -- For the other keys, each child's count within its own window comes from the birth
         -- intervals of the key's reports, sorted once: width_bucket counts the values at or under
         -- a bound by binary search, so a child's count is reports of unknown age, plus those born
         -- from at most the window's end, less those born to before its start.
         costly AS MATERIALIZED (
           SELECT ks.key, ks.lim, count(*) AS total,
                  count(*) FILTER (WHERE mk.born_from IS NULL) AS unknown,
                  array_agg(mk.born_from ORDER BY mk.born_from) FILTER (WHERE mk.born_from IS NOT NULL) AS froms,
                  array_agg(mk.born_to ORDER BY mk.born_to) FILTER (WHERE mk.born_from IS NOT NULL) AS tos
             FROM keys ks
             JOIN match_key mk ON mk.side = 'missing' AND mk.key = ks.key AND mk.active
            WHERE ks.key IN (SELECT key FROM rest)
            GROUP BY ks.key, ks.lim
         ),
         within AS MATERIALIZED (
           SELECT s.subject, s.record_id, s.born_from, s.born_to, s.event_day, c.lim,
                  CASE WHEN s.born_from IS NULL THEN c.total
                       ELSE c.unknown + coalesce(width_bucket(s.born_to + ${windowDays}, c.froms), 0)
                                      - coalesce(width_bucket(s.born_from - ${windowDays + 1}, c.tos), 0) END AS n
             FROM rest s JOIN costly c ON c.key = s.key
         ),
         -- Over its limit in the child's window, a key ranks the report among the child's: admitted
         -- when the report scores above the child's rank floor (saved by the child's own search; a
         -- child whose search saved none yet is not ranked from here).
         ranked AS (
           SELECT subject, record_id, keys + ${rankDateSql('m', 'c', 'c.event_day')} AS score FROM (
             SELECT w.subject, w.record_id, sum(${rankWeight('w.n')}) AS keys,
                    min(w.born_from) AS born_from, min(w.born_to) AS born_to, min(w.event_day) AS event_day
               FROM within w WHERE w.n > w.lim GROUP BY w.subject, w.record_id) AS c JOIN me m USING (subject)
         ),
         hits AS (
           SELECT subject, record_id FROM cheap
           UNION
           SELECT subject, record_id FROM within WHERE n <= lim
           UNION
           SELECT r.subject, r.record_id FROM ranked r JOIN match_rank_floor rf ON rf.record_id = r.record_id WHERE r.score > rf.floor
         )`;
  const { rows } = await db.query<Partner>(
    `WITH ${subjectInputs(1)}, ${admittedSql}, ${partnersSql(side, '$1', '$8', '$9', true)}`,
    [...subjectParams(subjects), nearRows.map((r) => r[0]), nearRows.map((r) => r[1]), rankWeightParam, ...(side === 'found' ? [subjects.map((s) => s.rankedBest)] : [])],
  );
  return rows;
}

/**
 * SQL: each partner of the records being matched (ids `$ids`) with its version, its photos and how
 * it is one: admitted (with `admitted`, after a CTE `hits` of subject and record_id: the records the
 * blocking rule admits), already paired (rescored whatever its keys say now), or with a photo near
 * one of a subject's (`$nearSubjects`, `$nearRecords`: the worker's photo index; kept when still looked for).
 */
const partnersSql = (side: Side, ids: string, nearSubjects: string, nearRecords: string, admitted: boolean) => {
  const otherSide: Side = side === 'missing' ? 'found' : 'missing';
  return `paired AS (SELECT ${pairColumn[side]} AS subject, ${pairColumn[otherSide]} AS record_id FROM candidate_pair WHERE ${pairColumn[side]} = ANY(${ids}::uuid[])),
     near AS (
       SELECT n.subject, n.record_id FROM unnest(${nearSubjects}::uuid[], ${nearRecords}::uuid[]) AS n(subject, record_id)
        WHERE EXISTS (SELECT 1 FROM match_subject s WHERE s.side = '${otherSide}' AND s.active AND s.record_id = n.record_id)
     ),
     links AS (
       SELECT subject, record_id, bool_or(paired) AS paired, bool_or(admitted) AS admitted, bool_or(near) AS near FROM (
         ${admitted ? 'SELECT subject, record_id, FALSE AS paired, TRUE AS admitted, FALSE AS near FROM hits UNION ALL' : ''}
         SELECT subject, record_id, TRUE AS paired, FALSE AS admitted, FALSE AS near FROM paired
         UNION ALL SELECT subject, record_id, FALSE, FALSE, TRUE FROM near
       ) AS x GROUP BY subject, record_id
     )
     SELECT r.id, r.version,
            json_agg(json_build_object('subject', l.subject, 'paired', l.paired, 'admitted', l.admitted, 'photoNear', l.near)) AS links,
            coalesce((SELECT json_agg(json_build_object('hash', p.pdq, 'variants', p.pdq_variants) ORDER BY p.uploaded_at, p.id)
                        FROM photo p WHERE p.side = '${otherSide}' AND p.record_id = r.id AND p.pdq_quality >= ${PDQ_MIN_QUALITY}), '[]') AS photos
       FROM links l JOIN ${tableOf[otherSide]} r ON r.id = l.record_id
      GROUP BY r.id`;
};

/** What the worker's keys in memory admitted (live-keys.ts): each record being matched and a partner at the version they hold, and each found child's rank floor. */
export interface KnownHits {
  hits: { subject: string; record: string; version: number }[];
  floors: { subject: string; floor: number }[];
}

/**
 * candidatePartners for the partners the worker's keys in memory admitted, by the same rule: the
 * pairs already there and the photo-near records read in one statement (with their versions and
 * photos), the found children's rank floors saved. An admitted partner comes at the version the
 * keys in memory held when they admitted it, with no photos read: the worker has it prepared
 * (preparedPartners), and reading each one's row here was most of a job's time in the database.
 */
export async function partnersOfHits(
  db: Queryable,
  side: Side,
  subjects: readonly Pick<PartnerQuery, 'id' | 'photoNear'>[],
  known: KnownHits,
): Promise<Partner[]> {
  if (!subjects.length) return [];
  const nearRows = subjects.flatMap((s) => s.photoNear.map((record) => [s.id, record] as const));
  const floors = side === 'found'
    ? `saved_floors AS (
         INSERT INTO match_rank_floor (record_id, floor) SELECT * FROM unnest($4::uuid[], $5::bigint[])
         ON CONFLICT (record_id) DO UPDATE SET floor = excluded.floor WHERE match_rank_floor.floor <> excluded.floor
       ),`
    : '';
  const { rows } = await db.query<Partner>(preparedQuery(
    `WITH ${floors} ${partnersSql(side, '$1', '$2', '$3', false)}`,
    [
      subjects.map((s) => s.id),
      nearRows.map((r) => r[0]),
      nearRows.map((r) => r[1]),
      ...(side === 'found' ? [known.floors.map((f) => f.subject), known.floors.map((f) => f.floor)] : []),
    ],
  ));
  const partners = new Map(rows.map((row) => [row.id, row]));
  for (const { subject, record, version } of known.hits) {
    let partner = partners.get(record);
    if (!partner) partners.set(record, (partner = { id: record, version, links: [] }));
    const link = partner.links.find((l) => l.subject === subject);
    if (link) link.admitted = true;
    else partner.links.push({ subject, paired: false, admitted: true, photoNear: false });
  }
  return [...partners.values()];
}

/** A record's body and places, as prepare() takes them, at the version stored now. */
export interface RecordBody {
  id: string;
  version: number;
  record: Record<string, unknown>;
  /** Its places as resolved when it was written. */
  places: ResolvedPlaces;
}

/**
 * The bodies of these records of a side, by id. A search reads only ids and versions: the bodies of
 * the hundred partners a job scores were most of what it read, and a worker has most of them
 * prepared already (engine.ts, cached; warm.ts). A record edited since the search is read at its
 * new version, which its own match job rescores again.
 */
export async function recordBodies(db: Queryable, side: Side, ids: readonly string[]): Promise<Map<string, RecordBody>> {
  if (!ids.length) return new Map();
  const { rows } = await db.query<RecordBody>(preparedQuery(`SELECT id, version, record, places FROM ${tableOf[side]} WHERE id = ANY($1::uuid[])`, [ids]));
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The partners prepared for scoring: from the worker's cache when it holds their version with
 * their photos, the others' bodies read in one statement (recordBodies).
 */
export async function preparedPartners(
  db: Queryable,
  engine: MatchEngine,
  side: 'missing' | 'found',
  partners: readonly { id: string; version: number; photos?: readonly PhotoHash[] }[],
): Promise<Map<string, Subject>> {
  const inOrder = await preparedInOrder(db, engine, side, partners);
  const prepared = new Map<string, Subject>();
  partners.forEach((partner, at) => {
    const subject = inOrder[at];
    if (subject) prepared.set(partner.id, subject);
  });
  return prepared;
}

/**
 * preparedPartners, each partner's subject at its place in `partners` (undefined: gone since the
 * search), each partner named once: a match job's own partners, looked up by place and not through
 * a Map of them built for the purpose (a set and a get for each of a job's thousands of partners).
 */
export async function preparedInOrder(
  db: Queryable,
  engine: MatchEngine,
  side: 'missing' | 'found',
  partners: readonly { id: string; version: number; photos?: readonly PhotoHash[] }[],
): Promise<(Subject | undefined)[]> {
  const prepared: (Subject | undefined)[] = new Array(partners.length);
  // Each partner not prepared at its version, with its photos, and where it is.
  const unread = new Map<string, { photos: readonly PhotoHash[] | undefined; at: number[] }>();
  for (let at = 0; at < partners.length; at++) {
    const partner = partners[at]!;
    const cached = engine.cached(side, partner.id, partner.version, partner.photos);
    if (cached) prepared[at] = cached;
    else (unread.get(partner.id) ?? unread.set(partner.id, { photos: partner.photos, at: [] }).get(partner.id)!).at.push(at);
  }
  if (!unread.size) return prepared;
  // Partners whose photos the search did not read: read with their bodies.
  const photoless = [...unread].filter(([, { photos }]) => photos === undefined).map(([id]) => id);
  const photos = photoless.length ? await photoHashesOfMany(db, side, photoless) : new Map<string, PhotoHash[]>();
  for (const body of (await recordBodies(db, side, [...unread.keys()])).values()) {
    const wanted = unread.get(body.id)!;
    const subject = engine.prepare(side, body.id, body.version, body.record as unknown as ChildRecord, wanted.photos ?? photos.get(body.id) ?? [], body.places);
    for (const at of wanted.at) prepared[at] = subject;
  }
  return prepared;
}

/**
 * Counts of name keys a process has read, reused while they still describe the country: until the
 * number of matched records has moved by more than 1% from when a count was read, and for at most
 * an hour. A common name's count ("raju") reads thousands of index entries, and a 1% drift
 * changes its term-frequency weight by about a hundredth of a bit. The hour bounds what the 1% rule
 * cannot see (a record edited, not added); it was ten minutes, and the read that renews every count
 * (warmNameKeyCounts) scans the whole key table: 38.8 s at 1,300,000 records, an eighth of the time
 * of a database core for every worker process when it ran every five minutes. Below a hundred records a count
 * is reused only at the same total, so a small settled world gets exactly `milap link`'s figures
 * (test/service/parity.test.ts).
 */
export class NameKeyCounts {
  static readonly maxAgeMs = 60 * 60_000;
  static readonly maxEntries = 200_000;
  readonly #entries = new Map<string, { n: number; total: number; at: number }>();

  fresh(key: string, total: number, now: number): number | undefined {
    const entry = this.#entries.get(key);
    if (!entry || now - entry.at > NameKeyCounts.maxAgeMs || Math.abs(total - entry.total) > Math.floor(total / 100)) return undefined;
    return entry.n;
  }

  remember(key: string, n: number, total: number, now: number) {
    if (this.#entries.size >= NameKeyCounts.maxEntries) this.#entries.clear();
    this.#entries.set(key, { n, total, at: now });
  }
}

/** Name keys carried by at least this many records are read all at once when a worker starts. */
export const commonNameKey = 20;

/**
 * Reads the counts of every common name key in one pass over the key table (a worker does this when
 * it starts and every half hour, until its keys are in memory: match-job.ts, warmKeyCounts):
 * counting a common key ("raju": thousands of entries) was the costly part of a job's term
 * frequencies, and a rare key is cheap to count when a job needs it.
 * Returns the keys read.
 */
export async function warmNameKeyCounts(db: Queryable, counts: NameKeyCounts, minimum = commonNameKey): Promise<number> {
  const total = Math.max(1, (await db.query<{ n: number }>('SELECT sum(n)::int AS n FROM match_subject_total')).rows[0]!.n);
  const { rows } = await db.query<{ key: string; n: number }>(
    `SELECT substring(key from 3) AS key, count(DISTINCT (side, record_id))::int AS n FROM match_key
      WHERE side IN ('missing', 'found') AND substring(key from 1 for 2) IN ('n:', 'f:', 'm:')
      GROUP BY 1 HAVING count(*) >= $1 ORDER BY 2 DESC LIMIT $2`,
    [minimum, NameKeyCounts.maxEntries / 2],
  );
  const now = Date.now();
  for (const row of rows) counts.remember(row.key, row.n, total, now);
  return rows.length;
}

/**
 * The keys closed for good (migrations/020): those more than keyReach times their limit of reports
 * carried when a worker counted them (matchers/blocking.ts, keyTooCommon), as this process last read
 * them. Such a key admits no pair and no duplicate, so it is left out of a job's searches instead of
 * being counted there again (counting it read its limit ten times over in the key index, for every key
 * of every record: more than half of a report's partner search), and records' rows for it are no
 * longer written, but for the name keys (storedWhenClosed): at national scale (1,000,000 reports and
 * 300,000 children) 64% of the key rows were for keys too common to admit anything. A key that became
 * too common since the read is still counted, and found too common, by the search itself.
 */
export class TooCommonKeys {
  #keys: ReadonlySet<string> = new Set();

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Whether a record's row for the key is written (replaceKeys): it is open, or a name key (storedWhenClosed). */
  stored(key: string): boolean {
    return !this.#keys.has(key) || storedWhenClosed(key);
  }

  keys(): IterableIterator<string> {
    return this.#keys.values();
  }

  replace(keys: Iterable<string>) {
    this.#keys = new Set(keys);
  }

  get size(): number {
    return this.#keys.size;
  }
}

/**
 * Closes for good the keys too common to admit a pair, counted in one pass over the key index (a
 * worker does this with the name counts), and reads every key closed so far into `holder`.
 */
export async function warmTooCommonKeys(db: Queryable, holder: TooCommonKeys): Promise<number> {
  const least = keyReach * Math.min(...Object.values(keyLimits));
  const { rows } = await db.query<{ key: string; n: number }>(
    `SELECT key, count(*)::int AS n FROM match_key WHERE side = 'missing' GROUP BY key HAVING count(*) > $1`,
    [least],
  );
  return closeTooCommonKeys(db, holder, rows.filter((row) => keyTooCommon(row.key, row.n)).map((row) => row.key));
}

/**
 * Closes for good these keys, counted too common to admit a pair (warmTooCommonKeys, or a worker's
 * keys in memory: matchers/live-index.ts, tooCommonKeys), and reads every key closed so far, by any
 * process, into `holder`. Returns how many that is.
 */
export async function closeTooCommonKeys(db: Queryable, holder: TooCommonKeys, tooCommon: readonly string[]): Promise<number> {
  if (tooCommon.length) await db.query('INSERT INTO match_closed_key (key) SELECT unnest($1::text[]) ON CONFLICT (key) DO NOTHING', [tooCommon]);
  holder.replace(await closedKeys(db));
  return holder.size;
}

/** Every key closed for good so far (migrations/020). */
export async function closedKeys(db: Queryable): Promise<string[]> {
  return (await db.query<{ key: string }>('SELECT key FROM match_closed_key')).rows.map((row) => row.key);
}

/**
 * How many records the matcher holds (term frequencies divide by it), and how many missing reports
 * are still looked for (a missing-found pair's prior divides by it: matchers/model.ts, priorWeight),
 * in one statement. Both are kept by triggers (migrations/009 and 013): counting rows would scan them all.
 */
export async function matchPopulation(db: Queryable): Promise<{ records: number; reports: number }> {
  const { rows } = await db.query<{ records: number; reports: number }>(populationSql);
  return rows[0]!;
}

const populationSql = 'SELECT (SELECT sum(n) FROM match_subject_total)::int AS records, (SELECT sum(n) FROM match_active_report_total)::int AS reports';

/**
 * How common each name key is: the share of all matched records whose names carry it (as `milap link`
 * counts). `records`: how many records that is (matchPopulation's, plus any being matched that the
 * counters do not hold yet: a match job saves its records last); read here when not given. The keys
 * `counts` does not hold are counted by `count` when given (a worker's keys in memory:
 * matchers/live-index.ts, nameKeyCount), else in the key table.
 */
export async function nameKeyFrequencies(db: Queryable, nameKeys: string[], counts = new NameKeyCounts(), records?: number, count?: (key: string) => number): Promise<Map<string, number>> {
  if (!nameKeys.length) return new Map();
  const total = Math.max(1, records ?? (await matchPopulation(db)).records);
  const now = Date.now();
  const known = new Map<string, number>();
  const unknown: string[] = [];
  for (const key of nameKeys) {
    const n = counts.fresh(key, total, now);
    if (n === undefined) unknown.push(key);
    else known.set(key, n);
  }
  if (unknown.length) {
    const read = count ? new Map(unknown.map((key) => [key, count(key)])) : await keyTableCounts(db, unknown);
    for (const key of unknown) {
      const n = read.get(key) ?? 0;
      counts.remember(key, n, total, now);
      known.set(key, n);
    }
  }
  // A key no record carries has no frequency (as before): the comparison treats it as unseen.
  return new Map([...known].filter(([, n]) => n > 0).map(([key, n]) => [key, n / total]));
}

/** The records carrying each name key in any of their names, each once, counted in the key table (a key none carries is left out). */
async function keyTableCounts(db: Queryable, keys: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ key: string; n: number }>(
    // Both sides named, so the (side, key) index serves the lookup instead of a scan of every key.
    `SELECT substring(key from 3) AS key, count(DISTINCT (side, record_id))::int AS n FROM match_key
      WHERE side IN ('missing', 'found') AND key = ANY($1::text[]) GROUP BY 1`,
    [keys.flatMap((key) => [`n:${key}`, `f:${key}`, `m:${key}`])],
  );
  return new Map(rows.map((row) => [row.key, row.n]));
}

export interface ExistingPair {
  missingId: string;
  foundId: string;
  state: string;
  matchWeight: number;
  /** The pair's own probability (pair_probability), as its last match scored it. */
  pairProbability: number;
  modelVersion: string;
  missingVersion: number;
  foundVersion: number;
  /** The digest of its explanation (explanationDigestOf); null for a pair no match has written since migrations/023. */
  explanationDigest: string | null;
  decidedExplanation: Explanation | null;
  /** Whether its state competes for its records (pending, on hold, confirmed: pair_is_live in migrations/011). */
  live: boolean;
}

/**
 * Locks the records' pairs. In id order, as refreshProbabilities locks them: in another order, a
 * job holding one pair and waiting for the next could wait on a refresh waiting for it, each
 * freed only by the deadlock detector a second later (300 similar records took 180 s, not 20).
 */
export async function lockPairs(db: Queryable, side: Side, ids: readonly string[]): Promise<Map<string, ExistingPair>> {
  const { rows } = await db.query<Omit<ExistingPair, 'decidedExplanation'> & { decidedExplanation: StoredExplanation | null }>(preparedQuery(
    // A decision's explanation read only for a rejected pair, the one it can reopen (migrations/022).
    `SELECT c.missing_id AS "missingId", c.found_id AS "foundId", c.state, c.match_weight AS "matchWeight", c.pair_probability AS "pairProbability",
            c.model_version AS "modelVersion", c.missing_version AS "missingVersion", c.found_version AS "foundVersion", c.explanation_digest AS "explanationDigest",
            pair_is_live(c.state) AS live,
            CASE WHEN c.state = 'rejected' THEN (SELECT e.decided_explanation FROM candidate_explanation e WHERE e.pair_id = c.id) END AS "decidedExplanation"
       FROM candidate_pair c WHERE c.${pairColumn[side]} = ANY($1::uuid[]) ORDER BY c.id FOR UPDATE OF c`,
    [ids],
  ));
  return new Map(rows.map((row) => [`${row.missingId}:${row.foundId}`, { ...row, decidedExplanation: row.decidedExplanation && explanationOfStored(row.decidedExplanation) }]));
}

/** A pair to insert or refresh, and why a rejected pair reopens (null: it keeps its state). */
export interface PairWrite {
  pair: PairScore;
  /** Its explanation as stored, and the digest of it (explanationDigestOf). */
  explanation: { json: string; digest: string };
  reopenBecause: string | null;
  /** Whether the pair competes once written: new, reopened, or live already (ExistingPair). */
  live: boolean;
}

/**
 * Whether storing `write` would leave the pair as `stored` holds it: the same model and record
 * versions, weight, own probability and explanation, and no reopen. Its row is then not written
 * again (a full re-match meets each pair from both its records, the second time by the same model:
 * migrations/023).
 */
export function storedAlready(stored: ExistingPair, write: PairWrite, modelVersion: string): boolean {
  const { pair } = write;
  return (
    write.reopenBecause === null &&
    stored.modelVersion === modelVersion &&
    stored.missingVersion === pair.missingVersion &&
    stored.foundVersion === pair.foundVersion &&
    stored.matchWeight === pair.matchWeight &&
    stored.pairProbability === pair.probability &&
    stored.explanationDigest === write.explanation.digest
  );
}

/**
 * The live odds of each record of `column` that pairs being written name, once written: those of its
 * pairs being written (w, live once written) and of its other pairs as stored, as refreshProbabilities
 * sums them.
 */
const writtenOddsSql = (column: 'missing_id' | 'found_id', partner: 'missing_id' | 'found_id') => `
    SELECT x.${column}, x.odds + (SELECT coalesce(sum(pair_odds(o.match_weight)) FILTER (WHERE pair_is_live(o.state)), 0)
                                   FROM candidate_pair o WHERE o.${column} = x.${column} AND NOT o.${partner} = ANY(x.written)) AS odds
      FROM (SELECT ${column}, array_agg(${partner}) AS written, coalesce(sum(pair_odds(weight)) FILTER (WHERE live), 0) AS odds FROM w GROUP BY ${column}) x
  `;

/**
 * The upsert of upsertPairs. A new pair's `probability` starts as its own; with `weigh`, as its
 * competing probability against the live odds of both its records once written (writtenOddsSql), as
 * the refresh that follows weighs it. That refresh then finds it weighed and does not write its row a
 * second time: a found child's new pairs, stored at their own probability and weighed after, were a
 * quarter of the refresh's writes, each a new version of the row in its four indexes. The sums are
 * read as the statement's snapshot has them: a pair another job stores meanwhile moves this one's
 * probability, and the refresh (which locks before it weighs) writes it then. An existing pair's
 * `probability` is left to the refresh: a pair whose weight did not move is not weighed again
 * after its job, and a value weighed from this snapshot could be older than the one it holds.
 * Without `weigh` (a re-match, whose sweep weighs every pair once its jobs are done), the sums are
 * not read.
 */
const upsertSql = (weigh: boolean) => `
  WITH w AS (
     SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::float8[], $5::float8[], $6::text[], $7::int[], $8::int[], $9::text[], $10::uuid[], $11::bool[])
       WITH ORDINALITY AS w(missing_id, found_id, p, weight, explanation, missing_version, found_version, reopen, digest, live, n)
   ),${weigh ? `
   report_odds AS MATERIALIZED (${writtenOddsSql('missing_id', 'found_id')}),
   child_odds AS MATERIALIZED (${writtenOddsSql('found_id', 'missing_id')}),` : ''}
   pairs AS (
     INSERT INTO candidate_pair (missing_id, found_id, pair_probability, probability, match_weight, model_version, missing_version, found_version, reopened_because, explanation_digest)
     SELECT w.missing_id, w.found_id, w.p,
            ${weigh ? `pair_odds(w.weight) / (1 + pair_odds(w.weight)
              + (r.odds - CASE WHEN w.live THEN pair_odds(w.weight) ELSE 0 END)
              + (c.odds - CASE WHEN w.live THEN pair_odds(w.weight) ELSE 0 END))` : 'w.p'},
            w.weight, $1, w.missing_version, w.found_version, w.reopen, w.digest
       FROM w${weigh ? ' JOIN report_odds r USING (missing_id) JOIN child_odds c USING (found_id)' : ''} ORDER BY w.n
     ON CONFLICT (missing_id, found_id) DO UPDATE SET
       pair_probability = excluded.pair_probability, match_weight = excluded.match_weight, explanation_digest = excluded.explanation_digest,
       model_version = excluded.model_version, missing_version = excluded.missing_version, found_version = excluded.found_version,
       state = CASE WHEN excluded.reopened_because IS NOT NULL THEN 'pending' ELSE candidate_pair.state END,
       reopened_because = COALESCE(excluded.reopened_because, candidate_pair.reopened_because),
       updated_at = clock_timestamp()
     RETURNING id, missing_id, found_id
   )
   INSERT INTO candidate_explanation (pair_id, explanation)
   SELECT pairs.id, w.explanation::json FROM pairs JOIN w USING (missing_id, found_id) ORDER BY w.n
   ON CONFLICT (pair_id) DO UPDATE SET explanation = excluded.explanation
     WHERE candidate_explanation.explanation::text IS DISTINCT FROM excluded.explanation::text`;

const upsertSqlOf = { weighed: upsertSql(true), own: upsertSql(false) };

/**
 * Inserts new pending pairs and refreshes existing pairs' scores, in one statement, in the order
 * given (a job sorts them by records, so two jobs that write the same pairs wait instead of
 * deadlocking). A decision is never changed, except a reopen. The explanation in its own table
 * (migrations/022), written only when it changed. `weigh`: each pair stored at its competing
 * probability (upsertSql), for a job whose refresh follows at once.
 */
export async function upsertPairs(db: Queryable, writes: readonly PairWrite[], modelVersion: string, weigh = false) {
  if (!writes.length) return;
  await db.query(preparedQuery(weigh ? upsertSqlOf.weighed : upsertSqlOf.own, [
    modelVersion,
    writes.map((w) => w.pair.missingId),
    writes.map((w) => w.pair.foundId),
    writes.map((w) => w.pair.probability),
    writes.map((w) => w.pair.matchWeight),
    writes.map((w) => w.explanation.json),
    writes.map((w) => w.pair.missingVersion),
    writes.map((w) => w.pair.foundVersion),
    writes.map((w) => w.reopenBecause),
    writes.map((w) => w.explanation.digest),
    writes.map((w) => w.live),
  ]));
}

/**
 * Drops these records' undecided pairs that fell out of their record's best K (not among `keptPairs`)
 * and are not among the other record's best K either, or fell below the floor. Decided pairs
 * (confirmed, rejected, on hold) stay. Returns each pair dropped, as its record and partner.
 */
export async function dropUnwantedPending(db: Queryable, side: Side, ids: readonly string[], keptPairs: string[], settings: { floor: number; topK: number }): Promise<{ subject: string; partner: string }[]> {
  const other = side === 'missing' ? 'found_id' : 'missing_id';
  const { rows } = await db.query<{ subject: string; partner: string }>(preparedQuery(
    `DELETE FROM candidate_pair c
      WHERE c.${pairColumn[side]} = ANY($1::uuid[]) AND c.state = 'pending'
        AND NOT ((c.missing_id::text || ':' || c.found_id::text) = ANY($2::text[]))
        AND (c.pair_probability < $3 OR (SELECT count(*) FROM candidate_pair o WHERE o.${other} = c.${other} AND o.pair_probability > c.pair_probability) >= $4)
      RETURNING c.${pairColumn[side]} AS subject, c.${other} AS partner`,
    [ids, keptPairs, settings.floor, settings.topK],
  ));
  return rows;
}

/** The records whose candidates change when these records' pairs do: they and every partner of theirs. */
export interface PairedRecords {
  missing: string[];
  found: string[];
}

export async function recordsAround(db: Queryable, missingIds: string[], foundIds: string[]): Promise<PairedRecords> {
  const { rows } = await db.query<PairedRecords>(preparedQuery(
    `SELECT coalesce(array_agg(DISTINCT missing_id), '{}') AS missing, coalesce(array_agg(DISTINCT found_id), '{}') AS found
       FROM candidate_pair WHERE missing_id = ANY($1::uuid[]) OR found_id = ANY($2::uuid[])`,
    [missingIds, foundIds],
  ));
  return { missing: [...new Set([...missingIds, ...rows[0]!.missing])], found: [...new Set([...foundIds, ...rows[0]!.found])] };
}

/**
 * Weighs every pair of these records, and the pairs named, against the other live candidates of both its records
 * (matchers/model.ts, competingProbability; pair_odds and pair_is_live in migrations/011). Run after the
 * change has committed, in a transaction of its own: it locks pairs of other records too, in id
 * order, and inside a match job's transaction two jobs could wait on each other.
 */
export async function refreshProbabilities(db: pg.Pool | pg.PoolClient, records: PairedRecords & { pairs?: string[] | undefined }): Promise<number> {
  const pairs = records.pairs ?? [];
  if (!records.missing.length && !records.found.length && !pairs.length) return 0;
  const params = [records.missing, records.found, pairs];
  // Locked first, then weighed by a statement of its own: a statement's sums read the snapshot it
  // started with, so a pair another job stored and weighed between that start and the locks was
  // weighed again without it, and kept a stale probability (seen under load, test/service/parity.test.ts).
  return withTransaction(db, async (tx) => {
    await lockPairsOf(tx, records);
    // Sent as a statement, not kept as a SQL function: a function's plan is made without the arrays'
    // sizes, and scanned every pair (22 ms a job at 5,000 pairs, growing with the table).
    const { rowCount } = await tx.query(preparedQuery(refreshSql, params));
    return rowCount ?? 0;
  });
}

/**
 * Locks every pair of these records, and the pairs named, at once and in id order: the order in which
 * everything that writes several pairs takes them (a refresh, a match job's lockPairs, an officer's
 * confirm), so that two of them wait for each other instead of deadlocking.
 */
export async function lockPairsOf(db: Queryable, records: PairedRecords & { pairs?: string[] | undefined }): Promise<void> {
  await db.query(preparedQuery(
    `SELECT 1 FROM candidate_pair WHERE missing_id = ANY($1::uuid[]) OR found_id = ANY($2::uuid[]) OR id = ANY($3::uuid[])
      ORDER BY id FOR UPDATE`,
    [records.missing, records.found, records.pairs ?? []],
  ));
}

/**
 * Marks these records due to have their pairs weighed again (migrations/021 and 024), in the
 * transaction that moved their pairs: a re-match weighs once, when its jobs are done (reweighDue),
 * not after every pass. Each mark a row of its own, so that jobs marking the same records wait for
 * nobody (a sweep deletes only the marks it read).
 */
export async function markReweighDue(db: Queryable, records: PairedRecords): Promise<void> {
  const due = [...[...new Set(records.found)].map((id) => ['found', id]), ...[...new Set(records.missing)].map((id) => ['missing', id])];
  if (!due.length) return;
  await db.query(preparedQuery(
    `INSERT INTO pair_reweigh_due (side, record_id) SELECT d.side, d.id FROM unnest($1::text[], $2::uuid[]) AS d(side, id)`,
    [due.map(([side]) => side), due.map(([, id]) => id)],
  ));
}

/**
 * Weighs again the pairs of every record marked due (markReweighDue), `batchSize` records at a time,
 * each batch as a job's refresh weighs them, then deletes the marks it read, but not a mark made
 * meanwhile (the record's pairs moved since the batch was read: the next sweep weighs them). A sweep
 * that stops part-way leaves the rest marked. Returns the records it weighed and the pairs it moved.
 *
 * Children come first (by side, then id), each weighing all its pairs. A report then weighs only
 * its pairs with children this sweep has not weighed, if its pairs last moved by a job that had
 * committed before the children were weighed: every mark of it made at or before `settledAt`, a time when no
 * job that marks was running (the sweeper's, read before it looked). A re-match that marked every
 * record weighed each pair twice otherwise, once from each side (a re-match of most records now marks
 * none, and every pair is weighed once: reweighEveryPair).
 */
export async function reweighDue(db: pg.Pool | pg.PoolClient, options: { batchSize?: number; settledAt?: Date } = {}): Promise<{ records: number; pairs: number }> {
  const { batchSize = 2000, settledAt = null } = options;
  const done = { records: 0, pairs: 0 };
  /** Children weighed by this sweep. */
  const weighed = new Set<string>();
  let after = { side: '', id: '00000000-0000-0000-0000-000000000000' };
  for (;;) {
    const { rows } = await db.query<{ side: Side; id: string; marks: string[]; settled: boolean }>(
      `SELECT side, record_id AS id, array_agg(mark) AS marks, coalesce(bool_and(marked_at <= $4), false) AS settled FROM pair_reweigh_due
        WHERE (side, record_id) > ($1, $2::uuid) GROUP BY side, record_id ORDER BY side, record_id LIMIT $3`,
      [after.side, after.id, batchSize, settledAt],
    );
    if (!rows.length) return done;
    const children = rows.filter((row) => row.side === 'found').map((row) => row.id);
    const reports = rows.filter((row) => row.side === 'missing');
    const settled = reports.filter((row) => row.settled).map((row) => row.id);
    const { rows: settledPairs } = settled.length && weighed.size
      ? await db.query<{ id: string; found: string }>('SELECT id, found_id AS found FROM candidate_pair WHERE missing_id = ANY($1::uuid[])', [settled])
      : { rows: null };
    done.pairs += await refreshProbabilities(db, {
      missing: settledPairs ? reports.filter((row) => !row.settled).map((row) => row.id) : reports.map((row) => row.id),
      found: children,
      pairs: settledPairs?.filter((pair) => !weighed.has(pair.found)).map((pair) => pair.id),
    });
    for (const child of children) weighed.add(child);
    // The marks read, and no other: one made since by a job that had not committed is weighed next time.
    await db.query('DELETE FROM pair_reweigh_due WHERE mark = ANY($1::bigint[])', [rows.flatMap((row) => row.marks)]);
    done.records += rows.length;
    after = rows[rows.length - 1]!;
  }
}

/**
 * Weighs again every pair's competing probability, `batchSize` children at a time (each child's
 * pairs, which are all the pairs), as a re-match of most records leaves them (migrations/025), then
 * deletes the marks that said so (`marks`, read before the sweep looked whether the run's jobs were
 * done): a mark queued since, its jobs still to run, stays for the next sweep. A sweep that stops
 * part-way leaves the marks, and the next weighs every pair again. Returns the children weighed, the
 * pairs moved, and the pending pairs and possible duplicates let go.
 *
 * First every child's pending pairs are cut to those above the floor among her best `topK` or her
 * report's (by their own probability, ties by id; every state competes, as in a match job): such a
 * re-match's children keep every pair above the floor, each weighed once, from her side only
 * (match-job.ts). A pair let go is past both records' best, which stay, so the batches' order
 * changes nothing. So with the possible duplicates, which its jobs keep above their floor, each
 * weighed from one of its records (duplicates.ts): those past both records' best few are let go.
 * Then every pair is weighed, against the pairs that stay, whichever batch let the others go.
 *
 * `parallel`: a pool, and how many batches to cut or weigh at once, each on a connection of its own
 * (on PostgreSQL; PGlite's pool is the one connection `db` holds). The sweep is the database's work
 * alone, done when every job is, and on one connection it kept one of the server's processors busy
 * while the others waited (301.5 s at national scale, bench/FIGURES.md).
 */
export async function reweighEveryPair(
  db: pg.Pool | pg.PoolClient,
  marks: readonly string[],
  kept: { floor: number; topK: number },
  options: { batchSize?: number; parallel?: { pool: pg.Pool; connections: number } | undefined } = {},
): Promise<{ children: number; pairs: number; dropped: number; duplicatesDropped: number }> {
  const { batchSize = 2000, parallel } = options;
  const done = { children: 0, pairs: 0, dropped: 0, duplicatesDropped: 0 };
  for (const side of ['missing', 'found'] as const) done.duplicatesDropped += (await db.query(dropDuplicatesPastBestSql, [side, duplicatesPerRecord])).rowCount ?? 0;
  /** Gives each batch of the children with pairs to `work`, on as many connections at once as `parallel` says. */
  const eachBatch = async (work: (on: pg.Pool | pg.PoolClient, children: string[]) => Promise<void>) => {
    let after = '00000000-0000-0000-0000-000000000000';
    let reading: Promise<string[]> = Promise.resolve([]);
    // The next batch, in id order, by the pair table's index of the children: one read at a time.
    const next = () =>
      (reading = reading.then(async () => {
        const { rows } = await db.query<{ id: string }>('SELECT DISTINCT found_id AS id FROM candidate_pair WHERE found_id > $1::uuid ORDER BY found_id LIMIT $2', [after, batchSize]);
        if (rows.length) after = rows[rows.length - 1]!.id;
        return rows.map((row) => row.id);
      }));
    const lanes = await Promise.allSettled(
      Array.from({ length: parallel ? Math.max(1, parallel.connections) : 1 }, async () => {
        for (let children = await next(); children.length; children = await next()) await work(parallel?.pool ?? db, children);
      }),
    );
    const failed = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
    if (failed) throw failed.reason;
  };
  // Each count added once its statement is done: `done.dropped += await …` would read the sum before
  // waiting, and a batch done meanwhile on another connection would be lost.
  await eachBatch(async (on, children) => {
    const { rowCount } = await on.query(dropPastBestSql, [children, kept.floor, kept.topK]);
    done.dropped += rowCount ?? 0;
  });
  await eachBatch(async (on, children) => {
    const moved = await refreshProbabilities(on, { missing: [], found: children });
    done.pairs += moved;
    done.children += children.length;
  });
  if (marks.length) await db.query('DELETE FROM pair_reweigh_every WHERE mark = ANY($1::bigint[])', [marks]);
  return done;
}

/** Deletes the side's ($1) pending possible duplicates past the best $2 of both their records (by probability, ties by id; every state competes). */
const dropDuplicatesPastBestSql = `
  DELETE FROM duplicate_pair d
   WHERE d.id IN (
     SELECT id FROM (
       SELECT id, row_number() OVER (PARTITION BY record ORDER BY probability DESC, id) AS rank
         FROM (SELECT id, record_a AS record, probability FROM duplicate_pair WHERE side = $1
               UNION ALL
               SELECT id, record_b, probability FROM duplicate_pair WHERE side = $1) AS ends) AS ranked
      GROUP BY id HAVING min(rank) > $2)
     AND d.state = 'pending'`;

/**
 * Deletes the pending pairs of these children ($1) under the floor ($2), or past the best $3 of both
 * the child's and the report's pairs, by their own probability (pair_probability; `probability` is
 * the competing one, weighed after: migrations/011).
 */
const dropPastBestSql = `
  DELETE FROM candidate_pair c
   WHERE c.id IN (
     SELECT r.id FROM (
       SELECT id, missing_id, state, pair_probability AS p, row_number() OVER (PARTITION BY found_id ORDER BY pair_probability DESC, id) AS rank
         FROM candidate_pair WHERE found_id = ANY($1::uuid[])) AS r
      WHERE r.state = 'pending'
        AND (r.p < $2
             OR (r.rank > $3 AND (SELECT count(*) FROM candidate_pair o
                                   WHERE o.missing_id = r.missing_id AND (o.pair_probability > r.p OR (o.pair_probability = r.p AND o.id < r.id))) >= $3)))
     AND c.state = 'pending'`;

/**
 * The odds of the live pairs of each record of one side of refreshSql's locked rows (`affected`):
 * a record it names (`named`, $1 or $2) has every pair among those rows, so is summed from them; a
 * partner reached through them, by its index.
 */
const recordOddsSql = (column: 'missing_id' | 'found_id', named: '$1' | '$2') => `
    SELECT ${column}, coalesce(sum(odds) FILTER (WHERE pair_is_live(state)), 0) AS odds
      FROM affected WHERE ${column} = ANY(${named}::uuid[]) GROUP BY ${column}
    UNION ALL
    SELECT r.${column}, (SELECT coalesce(sum(pair_odds(o.match_weight)) FILTER (WHERE pair_is_live(o.state)), 0)
                           FROM candidate_pair o WHERE o.${column} = r.${column})
      FROM (SELECT DISTINCT ${column} FROM affected WHERE NOT ${column} = ANY(${named}::uuid[])) r
  `;

/**
 * How near, as a share of it, a stored competing probability must be to the one a refresh weighs for
 * the refresh to leave its row unwritten. The same sums added in another order (a job's upsert weighs
 * its new pairs: upsertSql) can differ in their last bits. A refresh's writes that moved a pair by
 * less were 0.26% of them in a burst at 100,000, most likely such bits (bench/FIGURES.md, 2026-12-07
 * from 09:45); 1.0% moved by less than 1e-9, and the parity with `milap link` holds six places.
 */
const weighedAlready = 1e-12;

/**
 * Rows are locked in id order (lockPairsOf, and here again for a pair stored since), so two refreshes
 * that overlap wait for each other instead of deadlocking. The odds of each record's live pairs are
 * summed once per record (liveness a FILTER, not a condition the queue's state index could serve),
 * then each pair takes its own odds out: joined as sets the planner read every live pair, and summed
 * pair by pair a report in a hundred children's lists was summed a hundred times. A record named
 * ($1, $2) is summed from the rows locked, only the partners reached through them by their index
 * (recordOddsSql). A pair is written through the row it was locked by (its ctid: the lock keeps it
 * where it is), not looked up again by its id. Over 16 sets of 20 national found children's
 * refreshes, the sums read again and each pair found again by its id took 61% more buffers and 26%
 * more time (bench/FIGURES.md, 2026-12-06 from 20:32).
 */
const refreshSql = `
  WITH affected AS MATERIALIZED (
    SELECT ctid AS at, missing_id, found_id, state, pair_odds(match_weight) AS odds, probability FROM candidate_pair
     WHERE missing_id = ANY($1::uuid[]) OR found_id = ANY($2::uuid[]) OR id = ANY($3::uuid[])
     ORDER BY id FOR UPDATE
  ),
  report_odds AS MATERIALIZED (${recordOddsSql('missing_id', '$1')}),
  child_odds AS MATERIALIZED (${recordOddsSql('found_id', '$2')}),
  fresh AS MATERIALIZED (
    SELECT a.at, a.probability AS stored, a.odds / (1 + a.odds
             + (r.odds - CASE WHEN pair_is_live(a.state) THEN a.odds ELSE 0 END)
             + (c.odds - CASE WHEN pair_is_live(a.state) THEN a.odds ELSE 0 END)) AS probability
      FROM affected a JOIN report_odds r USING (missing_id) JOIN child_odds c USING (found_id)
  )
  UPDATE candidate_pair p SET probability = f.probability FROM fresh f
   WHERE p.ctid = f.at AND NOT abs(f.stored - f.probability) <= ${weighedAlready} * f.probability`;
