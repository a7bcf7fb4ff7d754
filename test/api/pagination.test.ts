// Lists: filters by state, district, status and date; keyset pages that never skip or repeat a record.
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
