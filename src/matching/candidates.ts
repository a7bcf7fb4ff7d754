// Reading candidate pairs for officers: the queue (filters, sorted by probability) and one pair with
// both records and the explanation of its score.
import type pg from 'pg';
import { containsSql, type Jurisdiction, type RecordPlace } from '../access/jurisdiction.ts';
import { notFound } from '../http/errors.ts';
import { isoOfDay } from '../../matchers/age.ts';
import type { PreparedName } from '../../matchers/names/compare.ts';
import { distanceKm } from '../../matchers/places.ts';
import { prepareFound, prepareMissing, type PreparedRecord } from '../../matchers/prepare.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { findRecord } from '../records/repository.ts';
import { foundSide, missingSide } from '../records/sides.ts';
import { explanationOfStored, type StoredExplanation } from './store.ts';

export const candidateStates = ['pending', 'confirmed', 'rejected', 'on_hold', 'superseded'] as const;
export type CandidateState = (typeof candidateStates)[number];

export interface CandidateFilter {
  state?: CandidateState | undefined;
  minProbability?: number | undefined;
  maxProbability?: number | undefined;
  /** A district of either side (where missing or found, or the home). */
  districtId?: string | undefined;
  recordId?: string | undefined;
  /** Only pairs of which either record lies inside this jurisdiction. */
  jurisdiction?: Jurisdiction | undefined;
  after?: { probability: number; id: string } | undefined;
  limit: number;
}

export interface CandidateSummary {
  id: string;
  state: CandidateState;
  /** Weighed against the other live candidates of both records (what the queue sorts by). */
  probability: number;
  /** The pair's own probability, as if neither record had any other candidate. */
  pairProbability: number;
  matchWeight: number;
  modelVersion: string;
  reopenedBecause: string | null;
  missing: { id: string; ref: string; name: string | null; districtId: string | null; status: string };
  found: { id: string; ref: string; name: string | null; districtId: string | null; status: string };
  updatedAt: string;
}

const summaryColumns = `c.id, c.state, c.probability, c.pair_probability AS "pairProbability", c.match_weight AS "matchWeight", c.model_version AS "modelVersion",
  c.reopened_because AS "reopenedBecause",
  json_build_object('id', m.id, 'ref', m.ref, 'name', m.record->>'name', 'districtId', m.district_id, 'status', m.status) AS missing,
  json_build_object('id', f.id, 'ref', f.ref, 'name', f.record->>'name', 'districtId', f.district_id, 'status', f.status) AS found,
  to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "updatedAt"`;

/**
 * The officers' queue: pairs by their competing probability, most probable first, ties by id, `limit`
 * at a time after the cursor. Without a state, each state's best are read apart, by the queue's index,
 * and merged: the index begins with the state, and one reading over every state sorted every pair
 * (207–293 ms at 100,000 × 30,000 against 3.4–5.7, bench/FIGURES.md).
 *
 * A district's pairs, or an institution's, are read from the place's records, by the indexes of their
 * districts and filing units (migrations/029), then sorted: walking the queue's index until a page of
 * the place's pairs was found read most pairs of the country for a district's first page (300 ms at
 * national scale). A state's pairs are a tenth of the country's: the walk finds its page soon.
 */
export async function listCandidates(db: pg.Pool, filter: CandidateFilter): Promise<CandidateSummary[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.minProbability !== undefined) where.push(`c.probability >= ${param(filter.minProbability)}`);
  if (filter.maxProbability !== undefined) where.push(`c.probability <= ${param(filter.maxProbability)}`);
  if (filter.recordId) {
    const id = param(filter.recordId);
    where.push(`(c.missing_id = ${id} OR c.found_id = ${id})`);
  }
  /** Conditions on the pair's records (aliases m and f), but the one the place's pairs meet already. */
  const onRecords: string[] = [];
  /** The place whose records' pairs are read first, if the filters name a district or an institution: what each side's record must hold. */
  let place: { missing: string; found: string } | null = null;
  if (filter.districtId) {
    const district = param(filter.districtId);
    place = { missing: `(m.district_id = ${district} OR m.places->'home'->>'districtId' = ${district})`, found: `(f.district_id = ${district} OR f.places->'statedHome'->>'districtId' = ${district})` };
  }
  if (filter.jurisdiction) {
    const inside = { missing: containsSql(filter.jurisdiction, 'm', param), found: containsSql(filter.jurisdiction, 'f', param) };
    if (!place && (filter.jurisdiction.scope === 'district' || filter.jurisdiction.scope === 'institution')) place = inside;
    else onRecords.push(`(${inside.missing} OR ${inside.found})`);
  }
  if (filter.after) where.push(`(c.probability, c.id) < (${param(filter.after.probability)}::double precision, ${param(filter.after.id)}::uuid)`);
  const limit = param(filter.limit);
  // Each state's best by the pair table alone, the records joined only for a condition on them; then
  // the page's few pairs with their records.
  const pairs = `${place ? 'place_pair p JOIN candidate_pair c ON c.id = p.id' : 'candidate_pair c'}${onRecords.length ? ' JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id' : ''}`;
  const ofState = (state: string) => `
    (SELECT c.id, c.probability FROM ${pairs}
      WHERE ${[`c.state = ${state}`, ...where, ...onRecords].join(' AND ')}
      ORDER BY c.probability DESC, c.id DESC LIMIT ${limit})`;
  const placePairs = place
    ? `WITH place_pair AS MATERIALIZED (
         SELECT c.id FROM missing_report m JOIN candidate_pair c ON c.missing_id = m.id WHERE ${place.missing}
         UNION
         SELECT c.id FROM found_child f JOIN candidate_pair c ON c.found_id = f.id WHERE ${place.found})`
    : '';
  const best = filter.state ? ofState(param(filter.state)) : candidateStates.map((state) => ofState(`'${state}'`)).join(' UNION ALL ');
  const { rows } = await db.query<CandidateSummary>(
    `${placePairs}
     SELECT ${summaryColumns}
       FROM (${best}) AS best JOIN candidate_pair c ON c.id = best.id JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id
      ORDER BY c.probability DESC, c.id DESC LIMIT ${limit}`,
    values,
  );
  return rows;
}

type PairRow = CandidateSummary & { explanation: StoredExplanation; missingVersion: number; foundVersion: number; missingPlace: RecordPlace; foundPlace: RecordPlace };

/** One pair with both records; `guardPair` refuses a pair the user may not see. */
export async function getCandidate(db: pg.Pool, id: string, guardPair: (missing: RecordPlace, found: RecordPlace, state: string) => void) {
  const { rows } = await db.query<PairRow>(
    `SELECT ${summaryColumns}, (SELECT e.explanation FROM candidate_explanation e WHERE e.pair_id = c.id) AS explanation, c.missing_version AS "missingVersion", c.found_version AS "foundVersion",
            json_build_object('stateCode', m.state_code, 'districtId', m.district_id, 'filingUnit', m.filing_unit) AS "missingPlace",
            json_build_object('stateCode', f.state_code, 'districtId', f.district_id, 'filingUnit', f.filing_unit) AS "foundPlace"
       FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id
      WHERE c.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) throw notFound('candidate pair');
  guardPair(row.missingPlace, row.foundPlace, row.state);
  const { missingPlace: _m, foundPlace: _f, explanation, ...rest } = row;
  const pair = { ...rest, explanation: explanationOfStored(explanation) };
  const [missingReport, foundChild, photos] = await Promise.all([
    findRecord(db, missingSide, pair.missing.id),
    findRecord(db, foundSide, pair.found.id),
    db.query<{ id: string; side: 'missing' | 'found' }>('SELECT id, side FROM photo WHERE (side, record_id) IN ((\'missing\', $1::uuid), (\'found\', $2::uuid)) ORDER BY uploaded_at', [pair.missing.id, pair.found.id]),
  ]);
  return {
    ...pair,
    missingReport,
    foundChild,
    photos: { missing: photos.rows.filter((p) => p.side === 'missing').map((p) => p.id), found: photos.rows.filter((p) => p.side === 'found').map((p) => p.id) },
    view: comparisonView(missingReport!.record as unknown as MissingReport, foundChild!.record as unknown as FoundChild),
  };
}

/** What the officer's side-by-side shows beside the records: Latin spellings, birth intervals, distance from home. */
function comparisonView(report: MissingReport, child: FoundChild) {
  const m = prepareMissing(report);
  const f = prepareFound(child);
  const latin = (name: PreparedName | null) => (name ? [...name.initials.map((i) => `${i}.`), ...name.tokens].join(' ') : null);
  const born = (record: PreparedRecord): [string, string] | null => (record.birth ? [isoOfDay(record.birth.from), isoOfDay(record.birth.to)] : null);
  const far = m.home && f.seen ? distanceKm(m.home, f.seen) : null;
  return {
    missing: { nameLatin: latin(m.name), fatherLatin: latin(m.father), born: born(m) },
    found: { nameLatin: latin(f.name), fatherLatin: latin(f.father), born: born(f) },
    distanceKm: far === null ? null : Math.round(far),
  };
}

/** How many pairs are in each state, within a jurisdiction. */
export async function countCandidates(db: pg.Pool, jurisdiction: Jurisdiction | undefined): Promise<Record<string, number>> {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const inside = jurisdiction ? `(${containsSql(jurisdiction, 'm', param)} OR ${containsSql(jurisdiction, 'f', param)})` : 'true';
  const { rows } = await db.query<{ state: string; n: number }>(
    `SELECT c.state, count(*)::int AS n FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id
      WHERE ${inside} GROUP BY c.state`,
    values,
  );
  return Object.fromEntries(rows.map((row) => [row.state, row.n]));
}
