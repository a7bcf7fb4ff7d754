// Baseline: Primero's matching (its MatchingService): one Solr OR query over the found child's
// fields with boosts (name 15, sex 10, age 10 as an exact token, relation names 10, language 3,
// place 1), name tokens indexed with their Double Metaphone codes beside the words; the top 20
// hits, scores divided by the best, those above 0.1 kept, and a hit "likely" when it is the only
// one or its score exceeds the mean of the 20 by more than 0.7. Lucene's classic scoring is
// emulated: per matched term boost x idf^2 x field norm (1 / sqrt(tokens)), times the share of
// query fields matched (coord).
import DoubleMetaphone from 'natural/lib/natural/phonetics/double_metaphone.js';
import type { FoundChild, MissingReport, Place } from '../../matchers/record.ts';
import type { BaselineOptions, BaselinePair } from './pair.ts';

const boosts = { name: 15, sex: 10, age: 10, relation: 10, language: 3, place: 1 } as const;
type Field = keyof typeof boosts;
const fields = Object.keys(boosts) as Field[];
const hitsPerQuery = 20;

const metaphone = new DoubleMetaphone();
const words = (text: string | null | undefined) => (text ?? '').toLowerCase().split(/[^\p{L}\p{M}]+/u).filter((w) => w.length > 1);
/** The words themselves and, for Latin ones, both Double Metaphone codes (Solr's inject=true). */
const phoneticTokens = (texts: (string | null | undefined)[]) =>
  [...new Set(texts.flatMap(words).flatMap((w) => (/^[a-z]+$/.test(w) ? [w, ...metaphone.process(w).filter(Boolean).map((c) => `#${c}`)] : [w])))];
const placeTokens = (places: (Place | null | undefined)[]) => [...new Set(places.flatMap((p) => words(p?.district)))];
const yearsBetween = (from: string, to: string) => Math.floor((Date.parse(to) - Date.parse(from)) / (365.25 * 86_400_000));

type Terms = Record<Field, string[]>;

function reportTerms(r: MissingReport): Terms {
  const age = r.ageYears ?? (r.birthDate ? yearsBetween(r.birthDate, r.missingSince) : null);
  return {
    name: phoneticTokens([r.name, ...(r.aliases ?? [])]), sex: [r.sex], age: age === null ? [] : [String(Math.round(age))],
    relation: phoneticTokens([r.fatherName, r.motherName, r.guardianName]), language: (r.languages ?? []).flatMap(words), place: placeTokens([r.home, r.lastSeen]),
  };
}

function childTerms(c: FoundChild): Terms {
  const age = c.apparentAgeYears ?? (c.birthDate ? yearsBetween(c.birthDate, c.foundOn) : null);
  return {
    name: phoneticTokens([c.name, ...(c.aliases ?? [])]), sex: [c.sex], age: age === null ? [] : [String(Math.round(age))],
    relation: phoneticTokens([c.fatherName, c.motherName]), language: (c.languages ?? []).flatMap(words), place: placeTokens([c.statedHome, c.foundAt]),
  };
}

class Index {
  readonly postings = new Map<string, number[]>();
  readonly norms: Record<Field, Float64Array>;
  readonly documents: Terms[];
  readonly reports: MissingReport[];

  constructor(reports: MissingReport[]) {
    this.reports = reports;
    this.documents = reports.map(reportTerms);
    this.norms = Object.fromEntries(fields.map((f) => [f, new Float64Array(reports.length)])) as Record<Field, Float64Array>;
    this.documents.forEach((terms, position) => {
      for (const field of fields) {
        this.norms[field][position] = terms[field].length ? 1 / Math.sqrt(terms[field].length) : 0;
        for (const term of terms[field]) {
          const key = `${field}:${term}`;
          const list = this.postings.get(key);
          if (list) list.push(position);
          else this.postings.set(key, [position]);
        }
      }
    });
  }

  /** Lucene's classic idf, squared as its query and field weights both carry it. */
  weight(field: Field, term: string): number {
    const idf = 1 + Math.log(this.reports.length / ((this.postings.get(`${field}:${term}`)?.length ?? 0) + 1));
    return boosts[field] * idf * idf;
  }
}

interface Hit {
  position: number;
  score: number;
}

/** The best `hitsPerQuery` of one query, the same-sex documents no other clause reached included. */
function search(index: Index, query: Terms, scores: Float64Array, matched: Uint8Array): { hits: Hit[]; fillerScore: number; sameSexTouched: number } {
  const queryFields = fields.filter((f) => query[f].length);
  const touched: number[] = [];
  // Half the reports share the child's sex: that clause is added to the documents other clauses
  // reached, and the rest stand in as fillers at one score (see primeroLink).
  for (const field of queryFields.filter((f) => f !== 'sex')) {
    for (const term of query[field]) {
      const weight = index.weight(field, term);
      for (const position of index.postings.get(`${field}:${term}`) ?? []) {
        if (matched[position] === 0) touched.push(position);
        matched[position]! |= 1 << fields.indexOf(field);
        scores[position]! += weight * index.norms[field][position]!;
      }
    }
  }
  const sexTerm = query.sex[0];
  const sexBit = 1 << fields.indexOf('sex');
  const sexWeight = sexTerm ? index.weight('sex', sexTerm) : 0;
  let sameSexTouched = 0;
  for (const position of touched) {
    if (sexTerm && index.documents[position]!.sex[0] === sexTerm) {
      scores[position]! += sexWeight;
      matched[position]! |= sexBit;
      sameSexTouched++;
    }
  }
  const coord = (mask: number) => queryFields.filter((f) => mask & (1 << fields.indexOf(f))).length / queryFields.length;
  const top: Hit[] = [];
  for (const position of touched) {
    const score = scores[position]! * coord(matched[position]!);
    scores[position] = 0;
    matched[position] = 0;
    if (top.length === hitsPerQuery && score <= top[top.length - 1]!.score) continue;
    const at = top.findIndex((hit) => hit.score < score);
    top.splice(at === -1 ? top.length : at, 0, { position, score });
    if (top.length > hitsPerQuery) top.pop();
  }
  return { hits: top, fillerScore: sexWeight / queryFields.length, sameSexTouched };
}

function explanation(index: Index, position: number, query: Terms) {
  const document = index.documents[position]!;
  return fields
    .map((field) => ({ comparison: field, level: 'token', weight: query[field].filter((t) => document[field].includes(t)).reduce((sum, t) => sum + index.weight(field, t) * index.norms[field][position]!, 0) }))
    .filter((entry) => entry.weight > 0);
}

export function* primeroLink(missing: MissingReport[], found: FoundChild[], options: BaselineOptions = {}): Generator<BaselinePair> {
  const top = options.top ?? 10;
  const index = new Index(missing);
  const sameSex = new Map<string, number>();
  for (const report of missing) sameSex.set(report.sex, (sameSex.get(report.sex) ?? 0) + 1);
  const scores = new Float64Array(missing.length);
  const matched = new Uint8Array(missing.length);
  for (const child of found) {
    const query = childTerms(child);
    const { hits, fillerScore, sameSexTouched } = search(index, query, scores, matched);
    // Same-sex reports that matched nothing else fill the 20 hits at one shared, low score; they
    // are never the child's report and so are not yielded, but they weigh in the mean.
    const fillers = Math.min(hitsPerQuery - hits.length, Math.max(0, (sameSex.get(child.sex) ?? 0) - sameSexTouched));
    const all = [...hits.map((h) => h.score), ...Array<number>(fillers).fill(fillerScore)].filter((s) => s > 0).sort((a, b) => b - a);
    const best = all[0];
    if (!best) continue;
    const average = all.reduce((sum, s) => sum + s / best, 0) / all.length;
    const kept = hits.filter((h) => h.score / best > 0.1);
    const keptFillers = fillerScore / best > 0.1 ? fillers : 0;
    for (const hit of kept.slice(0, top)) {
      const normalised = hit.score / best;
      yield {
        missingRef: missing[hit.position]!.ref, foundRef: child.ref, probability: normalised, matchWeight: hit.score,
        explanation: explanation(index, hit.position, query), likely: kept.length + keptFillers === 1 || normalised - average > 0.7,
      };
    }
  }
}
