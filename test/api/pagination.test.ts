// Lists: filters by state, district, status and date; keyset pages that never skip or repeat a record,
// nor a candidate pair in the officers' queue.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();
const url = '/api/v1/missing-reports';
const filed: string[] = [];

beforeAll(async () => {
  const places = [
    { district: 'Dhanbad', state: 'Jharkhand' },
    { district: 'Ranchi', state: 'Jharkhand' },
    { district: 'Gurgaon', state: 'Haryana' },
  ];
  for (let i = 0; i < 9; i++) {
    const report = fullMissingReport({ lastSeen: places[i % 3]!, missingSince: `2024-0${1 + (i % 9)}-15` });
    filed.push((await t.inject({ method: 'POST', url, payload: report })).json().id);
  }
  await t.inject({ method: 'POST', url: `${url}/${filed[0]}/status`, payload: { status: 'traced', reason: 'found at a relative\'s home' } });
  await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: fullFoundChild() });
});

async function list(query: string) {
  const answer = await t.inject({ method: 'GET', url: `${url}?${query}` });
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json() as { items: { id: string }[]; nextCursor: string | null };
}

describe('listing missing reports', () => {
  it('pages of 4 walk every record exactly once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...filed].reverse());
  });

  it('filters by state and district, however the place is written', async () => {
    expect((await list('state=Jharkhand')).items).toHaveLength(6);
    expect((await list('state=JH&district=Ranchi')).items).toHaveLength(3);
    expect((await list('district=Gurugram')).items).toHaveLength(3);
  });

  it('filters by status and by the date the child went missing', async () => {
    expect((await list('status=traced')).items.map((i) => i.id)).toEqual([filed[0]]);
    expect((await list('since=2024-03-01&until=2024-05-31')).items).toHaveLength(3);
  });

  it('lists only its own side', async () => {
    expect((await list('limit=200')).items).toHaveLength(9);
  });
});

describe("the officers' queue of candidate pairs", () => {
  // Pairs close together, ties and the ends of the scale: pages come in probability order, each pair once.
  const probabilities = [0.5004, 0.9, 0.5001, 0.5004, 0.0005, 1, 0.5009, 0.001, 0.5004, 0.4999, 0.9, 0.5];
  // Then pairs of little probability, more pages of them, and two pairs on hold.
  const more = Array.from({ length: 12 }, (_, i) => 0.003 - i * 0.0001);
  const pairs: { id: string; probability: number; state: string; report: number }[] = [];

  beforeAll(async () => {
    const reports = [];
    // The first report's child went missing from Ranchi, the others' from Dhanbad, where every child says home is.
    const ranchi = { district: 'Ranchi', state: 'Jharkhand' };
    reports.push(await t.file(url, fullMissingReport({ lastSeen: ranchi, home: ranchi })));
    for (let i = 1; i < 3; i++) reports.push(await t.file(url, fullMissingReport()));
    const children = [];
    for (let i = 0; i < 8; i++) children.push(await t.file('/api/v1/found-children', fullFoundChild()));
    for (const [i, probability] of [...probabilities, ...more].entries()) {
      const state = i === 3 || i === 14 ? 'on_hold' : 'pending';
      const { rows } = await t.db.database.pool.query(
        `WITH pair AS (INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version, state)
         VALUES ($1, $2, $3, $3, 0, 'test', 1, 1, $4) RETURNING id)
         INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[]' FROM pair RETURNING pair_id AS id`,
        [reports[i % 3], children[Math.floor(i / 3)], probability, state],
      );
      pairs.push({ id: rows[0].id, probability, state, report: i % 3 });
    }
  });

  /** Every page of the queue with these filters, walked with its cursor: the pairs' ids in the order served. */
  async function walk(query: string): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const answer = await t.inject({ method: 'GET', url: `/api/v1/candidates?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}` });
      expect(answer.statusCode, answer.body).toBe(200);
      const page = answer.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  }

  const inOrder = (chosen: typeof pairs) =>
    [...chosen].sort((a, b) => b.probability - a.probability || (a.id < b.id ? 1 : -1)).map((pair) => pair.id);
  const pending = () => pairs.filter((pair) => pair.state === 'pending');

  it('pages of 2 walk every pair exactly once, most probable first, ties by id', async () => {
    expect(await walk('&state=pending')).toEqual(inOrder(pending()));
  });

  it('without a state, pages walk the pairs of every state in one order', async () => {
    expect(await walk('')).toEqual(inOrder(pairs));
    expect(await walk('&state=on_hold')).toEqual(inOrder(pairs.filter((pair) => pair.state === 'on_hold')));
  });

  it("a district's pairs are those of its records, where the child was lost or found or lives, in one order", async () => {
    expect(await walk('&state=pending&district=Ranchi')).toEqual(inOrder(pending().filter((pair) => pair.report === 0)));
    expect(await walk('&district=Dhanbad')).toEqual(inOrder(pairs));
    expect(await walk('&district=Gurugram')).toEqual([]);
  });

  it('a probability range keeps its ends, inside one thousandth as across it', async () => {
    expect(await walk('&state=pending&minProbability=0.5004&maxProbability=0.9')).toEqual(inOrder(pending().filter((p) => p.probability >= 0.5004 && p.probability <= 0.9)));
    expect(await walk('&state=pending&minProbability=0.0005&maxProbability=0.5001')).toEqual(inOrder(pending().filter((p) => p.probability >= 0.0005 && p.probability <= 0.5001)));
  });
});
