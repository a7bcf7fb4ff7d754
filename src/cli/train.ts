// `milap train --missing M.jsonl --found F.jsonl [--labels PAIRS.jsonl] [--out MODEL.json]`:
// re-estimate the match model. u from random pairs; m by EM over blocked pairs in two sessions (one
// blocked on names, one on the home district), and from labelled true pairs when given; m and u
// beside agreeing names (for the comparisons that depend on them) from random and true pairs whose
// names agree; the prior from how many found children the blocked pairs say have a report.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ageWindowOverlaps, blockingKeys } from '../../matchers/blocking.ts';
import { CandidateIndex } from '../../matchers/candidate-index.ts';
import { combineSessions, estimateMFromLabels, estimateNamed, estimateU, expectationMaximisation, keepLevelOrder, neutraliseUnseen, type Vector } from '../../matchers/em.ts';
import { candidatesOf } from '../../matchers/link.ts';
import { comparisonVector, defaultModel, namesAgree, type Model } from '../../matchers/model.ts';
import { comparisons } from '../../matchers/comparisons.ts';
import { prepareFound, prepareMissing, type PreparedRecord } from '../../matchers/prepare.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { foundChildSchema, missingReportSchema } from '../records/schema.ts';
import { readJsonl } from './jsonl.ts';

const usage = 'usage: milap train --missing MISSING.jsonl --found FOUND.jsonl [--labels PAIRS.jsonl] [--out fixtures/model/milap-model.json]\n';

async function read<T>(path: string, schema: Parameters<typeof readJsonl<T>>[1]): Promise<T[]> {
  const records: T[] = [];
  for await (const entry of readJsonl(path, schema)) if ('record' in entry) records.push(entry.record);
  return records;
}

/** Deterministic sampling, so the same data trains the same model. */
function sampler(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** The comparison vectors of the pairs that blocking keys of the given prefixes admit (one EM session). */
function blockedVectors(reports: PreparedRecord[], children: PreparedRecord[], prefixes: string[], limit: number): Vector[] {
  const index = new CandidateIndex(reports, blockingKeys);
  const inSession = (key: string) => prefixes.includes(key.slice(0, key.indexOf(':')));
  const vectors: Vector[] = [];
  for (const child of children) {
    const seen = new Set<number>();
    candidatesOf(index, child, (position) => {
      if (seen.has(position) || vectors.length >= limit) return;
      seen.add(position);
      if (ageWindowOverlaps(reports[position]!, child)) vectors.push(comparisonVector(reports[position]!, child));
    }, inSession);
    if (vectors.length >= limit) break;
  }
  return vectors;
}

const nameAt = comparisons.findIndex((comparison) => comparison.name === 'name');

/**
 * The comparison vectors of random pairs whose names agree (em.ts, estimateNamed): about one pair
 * in 250, so up to 25 million pairs are drawn for 20,000 of them. True pairs are under 1% of them
 * (most true pairs agree on names, but there are few true pairs), too few to move their shares.
 */
function namedVectors(reports: PreparedRecord[], children: PreparedRecord[], next: (n: number) => number): Vector[] {
  const name = comparisons[nameAt]!;
  const vectors: Vector[] = [];
  for (let drawn = 0; drawn < 25_000_000 && vectors.length < 20_000; drawn++) {
    const report = reports[next(reports.length)]!;
    const child = children[next(children.length)]!;
    if (namesAgree(name.compare(report, child).level)) vectors.push(comparisonVector(report, child));
  }
  return vectors;
}

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { missing: { type: 'string' }, found: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string', default: 'fixtures/model/milap-model.json' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`milap train: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (!values.missing || !values.found) {
    process.stderr.write(usage);
    return 2;
  }
  const reports = (await read<MissingReport>(values.missing, missingReportSchema)).map((report) => prepareMissing(report));
  const children = (await read<FoundChild>(values.found, foundChildSchema)).map((child) => prepareFound(child));
  if (!reports.length || !children.length) {
    process.stderr.write('milap train: both files need records\n');
    return 2;
  }
  const next = sampler(42);
  const random: Vector[] = Array.from({ length: 200_000 }, () => comparisonVector(reports[next(reports.length)]!, children[next(children.length)]!));
  let model: Model = estimateU(defaultModel, random);
  const randomNamed = namedVectors(reports, children, next);
  const sessions = [
    { fixed: ['name'], vectors: blockedVectors(reports, children, ['n'], 400_000) },
    { fixed: ['home', 'sex'], vectors: blockedVectors(reports, children, ['h'], 400_000) },
  ];
  const learnt = sessions.map((session) => ({ fixed: session.fixed, ...expectationMaximisation(model, session.vectors, session.fixed) }));
  model = combineSessions(model, learnt);
  let trueNamed: Vector[] | null = null;
  if (values.labels) {
    const byRef = new Map(reports.map((r) => [r.ref, r]));
    const childByRef = new Map(children.map((c) => [c.ref, c]));
    const labelled = readFileSync(values.labels, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { missingRef: string; foundRef: string })
      .flatMap((pair) => (byRef.has(pair.missingRef) && childByRef.has(pair.foundRef) ? [comparisonVector(byRef.get(pair.missingRef)!, childByRef.get(pair.foundRef)!)] : []));
    if (labelled.length) {
      model = neutraliseUnseen(estimateMFromLabels(model, labelled), random, labelled);
      trueNamed = labelled.filter((vector) => namesAgree(vector[nameAt]!));
    }
    model.prior = labelled.length / (reports.length * children.length);
    model.foundWithReport = shareOfChildren(labelled.length, children.length);
  } else {
    // The name session's match share times its pairs, over all pairs: the expected true pairs.
    const nameSession = learnt[0]!;
    const truePairs = nameSession.matchShare * sessions[0]!.vectors.length;
    model.prior = Math.max(1e-9, truePairs / (reports.length * children.length));
    model.foundWithReport = shareOfChildren(truePairs, children.length);
  }
  // Without labels, m beside agreeing names is what EM learnt over the pairs blocked on names.
  model = estimateNamed(model, randomNamed, trueNamed, learnt[0]!.model);
  model = keepLevelOrder(model);
  const date = new Date().toISOString().slice(0, 10);
  model.version = `milap-${date}-${reports.length}x${children.length}`;
  model.description = `Trained by milap train on ${reports.length} missing and ${children.length} found records${values.labels ? ' with labelled pairs' : ''}.`;
  writeFileSync(values.out, `${JSON.stringify(model, null, 2)}\n`);
  process.stderr.write(`wrote model ${model.version} to ${values.out} (prior ${model.prior.toExponential(2)}, found children with a report ${model.foundWithReport!.toFixed(3)})\n`);
  return 0;
}

/** The share of found children whose report is on file (matchers/model.ts, priorWeight), kept off 0 and 1. */
const shareOfChildren = (truePairs: number, children: number) => Math.min(0.99, Math.max(1e-6, truePairs / children));
