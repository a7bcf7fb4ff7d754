// Decisions and restoration: a confirm marks both records matched, supersedes their other pending
// pairs and opens a restoration; undoing it is its own recorded decision; a restoration moves only
// along allowed stages, keeps every step, and lists overdue follow-ups.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.ts';
import { supersedePending } from '../../src/matching/store.ts';
import { inTransactions, onPostgres, waitingForALock } from '../helpers/database.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();

async function record(side: 'missing' | 'found') {
  const url = side === 'missing' ? '/api/v1/missing-reports' : '/api/v1/found-children';
  return (await t.inject({ method: 'POST', url, payload: side === 'missing' ? fullMissingReport() : fullFoundChild() })).json().id as string;
}

async function pair(missingId: string, foundId: string, probability = 0.9): Promise<string> {
  const { rows } = await t.db.database.pool.query(
    `WITH pair AS (INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
     VALUES ($1, $2, $3, $3, 3, 'test', 1, 1) RETURNING id)
     INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[["name","phonetic",4]]' FROM pair RETURNING pair_id AS id`,
    [missingId, foundId, probability],
  );
  return rows[0].id;
}

const decide = (id: string, decision: string, reason = 'compared photographs and father\'s name') =>
  t.inject({ method: 'POST', url: `/api/v1/candidates/${id}/decision`, payload: { decision, reason } });
/** A pair's state, and the one state whose queue lists it to a matching officer (what an officer sees of a decision is the queue it moves the pair to). */
const stateOf = async (id: string) => {
  const { rows: [pair] } = await t.db.database.pool.query('SELECT state, found_id AS "foundId" FROM candidate_pair WHERE id = $1', [id]);
  const listedIn: string[] = [];
  for (const state of ['pending', 'confirmed', 'rejected', 'on_hold', 'superseded']) {
    const answer = await t.inject({ method: 'GET', url: `/api/v1/candidates?state=${state}&record=${pair.foundId}`, headers: t.auth.matching_officer });
    if ((answer.json().items as { id: string }[]).some((item) => item.id === id)) listedIn.push(state);
  }
  expect(listedIn, `the queues that list the ${pair.state} pair`).toEqual([pair.state]);
  return pair.state as string;
};
const statusOf = async (table: string, id: string) => (await t.db.database.pool.query(`SELECT status FROM ${table} WHERE id = $1`, [id])).rows[0].status;

describe('decisions on candidate pairs', () => {
  it('pairs of one record compete, and a rejected pair competes no more', async () => {
    const [m, otherM, f] = [await record('missing'), await record('missing'), await record('found')];
    const insert = async (missingId: string, weight: number) => (await t.db.database.pool.query(
      `WITH pair AS (INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
       VALUES ($1, $2, $3, $3, $4, 'test', 1, 1) RETURNING id)
       INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[]' FROM pair RETURNING pair_id AS id`,
      [missingId, f, 2 ** weight / (1 + 2 ** weight), weight],
    )).rows[0].id as string;
    const [strong, weak] = [await insert(m, 4), await insert(otherM, 3)];
    const probabilityOf = async (id: string) => Number((await t.db.database.pool.query('SELECT probability FROM candidate_pair WHERE id = $1', [id])).rows[0].probability);
    expect((await decide(weak, 'hold')).statusCode).toBe(200);
    // Odds 16 and 8 for the same child: 16 / (1 + 16 + 8) and 8 / (1 + 16 + 8).
    expect(await probabilityOf(strong)).toBeCloseTo(16 / 25, 9);
    expect(await probabilityOf(weak)).toBeCloseTo(8 / 25, 9);
    expect((await decide(strong, 'reject')).statusCode).toBe(200);
    expect(await probabilityOf(weak)).toBeCloseTo(8 / 9, 9);
    expect(await probabilityOf(strong)).toBeCloseTo(16 / 25, 9);
    const listed = (await t.inject({ method: 'GET', url: `/api/v1/candidates?record=${f}`, headers: t.auth.matching_officer })).json().items;
    expect(listed.find((c: { id: string }) => c.id === weak)).toMatchObject({ pairProbability: 8 / 9 });
  });

  it('a confirm marks both records matched, supersedes their other pending pairs and opens a restoration', async () => {
    const [m, f, otherM, otherF] = [await record('missing'), await record('found'), await record('missing'), await record('found')];
    const chosen = await pair(m, f);
    const rivalForChild = await pair(otherM, f, 0.6);
    const rivalForReport = await pair(m, otherF, 0.5);
    const unrelated = await pair(otherM, otherF, 0.4);
    const answer = await decide(chosen, 'confirm');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ decision: 'confirm', fromState: 'pending', toState: 'confirmed' });
    expect(await statusOf('missing_report', m)).toBe('matched');
    expect(await statusOf('found_child', f)).toBe('matched');
    expect([await stateOf(rivalForChild), await stateOf(rivalForReport), await stateOf(unrelated)]).toEqual(['superseded', 'superseded', 'pending']);
    const restorations = (await t.inject({ method: 'GET', url: '/api/v1/restorations', headers: t.auth.repatriation })).json().items;
    expect(restorations.some((r: { candidateId: string; stage: string }) => r.candidateId === chosen && r.stage === 'confirmed')).toBe(true);
    const history = (await t.inject({ method: 'GET', url: `/api/v1/missing-reports/${m}/history` })).json().versions;
    expect(history.at(-1)).toMatchObject({ change: 'status', status: 'matched' });
  });

  it('undoing a confirm is its own decision: records reopen, rivals return, the restoration is cancelled, nothing erased', async () => {
    const [m, f, otherF] = [await record('missing'), await record('found'), await record('found')];
    const chosen = await pair(m, f);
    const rival = await pair(m, otherF);
    await decide(chosen, 'confirm');
    const undo = await decide(chosen, 'undo_confirm', 'the family says this is not their daughter');
    expect(undo.statusCode).toBe(200);
    expect(await stateOf(chosen)).toBe('pending');
    expect(await stateOf(rival)).toBe('pending');
    expect(await statusOf('missing_report', m)).toBe('open');
    expect(await statusOf('found_child', f)).toBe('in_care');
    const detail = (await t.inject({ method: 'GET', url: `/api/v1/candidates/${chosen}` })).json();
    expect(detail.decisions.map((d: { decision: string }) => d.decision)).toEqual(['confirm', 'undo_confirm']);
    const { rows } = await t.db.database.pool.query('SELECT stage FROM restoration WHERE candidate_id = $1', [chosen]);
    expect(rows.map((r) => r.stage)).toEqual(['cancelled']);
  });

  it('reject and hold keep who, when and why; a decision out of order is refused', async () => {
    const rejected = await pair(await record('missing'), await record('found'));
    expect((await decide(rejected, 'reject', 'different birthmark')).statusCode).toBe(200);
    expect((await decide(rejected, 'hold')).statusCode).toBe(409);
    expect((await decide(rejected, 'undo_confirm')).statusCode).toBe(409);
    const held = await pair(await record('missing'), await record('found'));
    expect((await decide(held, 'hold', 'asking the shelter for a photo')).statusCode).toBe(200);
    expect((await decide(held, 'confirm')).statusCode).toBe(200);
    const bad = await t.inject({ method: 'POST', url: `/api/v1/candidates/${held}/decision`, payload: { decision: 'maybe', reason: 'x' } });
    expect(bad.statusCode).toBe(400);
  });

  it('a pair whose record was already matched elsewhere cannot be confirmed', async () => {
    const [m, f, f2] = [await record('missing'), await record('found'), await record('found')];
    const first = await pair(m, f);
    const second = await pair(m, f2);
    await decide(first, 'hold');
    await decide(second, 'confirm');
    expect((await decide(first, 'confirm')).statusCode).toBe(409);
  });

  // Match jobs and the competing-probability refresh lock a record's pairs in id order. A confirm
  // that held its pair, then reached for the record's other pairs to supersede them, could hold the
  // one such a job wanted next while waiting for one the job held: a deadlock, one side failed.
  it.skipIf(!onPostgres)('a confirm and a job that locks the same record\'s pairs in id order take turns, neither failing', async () => {
    const [m, f, otherF] = [await record('missing'), await record('found'), await record('found')];
    const [first, second] = [await pair(m, f), await pair(m, otherF, 0.5)].sort();
    const pool = t.db.database.pool;
    await inTransactions(pool, 1, async ([job]) => {
      await job!.query('SELECT 1 FROM candidate_pair WHERE id = $1 FOR UPDATE', [first]);
      // The officer confirms the pair with the larger id while the job holds the other.
      const confirming = decide(second!, 'confirm');
      await waitingForALock(pool, 'the confirm');
      // The job goes on to the next pair in id order, as it would, and commits.
      await job!.query('SELECT 1 FROM candidate_pair WHERE id = $1 FOR UPDATE', [second]);
      await job!.query('COMMIT');
      const answer = await confirming;
      expect(answer.statusCode, answer.body).toBe(200);
    });
    expect([await stateOf(second!), await stateOf(first!)]).toEqual(['confirmed', 'superseded']);
  });

  it.skipIf(!onPostgres)('a record that leaves the search supersedes its pairs in turn with a job that locks them in id order, neither failing', async () => {
    const [m, f, otherF] = [await record('missing'), await record('found'), await record('found')];
    const pool = t.db.database.pool;
    // The pair with the larger id stored first, with the child of the smaller id: met first however its record's pairs are scanned.
    const [small, large] = (await pool.query('SELECT gen_random_uuid() AS a, gen_random_uuid() AS b')).rows.map((row) => [row.a, row.b].sort())[0]!;
    const [firstChild, secondChild] = [f, otherF].sort();
    for (const [id, child] of [[large, firstChild], [small, secondChild]]) {
      await pool.query(
        `INSERT INTO candidate_pair (id, missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
         VALUES ($1, $2, $3, 0.5, 0.5, 0, 'test', 1, 1)`,
        [id, m, child],
      );
    }
    await inTransactions(pool, 2, async ([job, leaving]) => {
      await job!.query('SELECT 1 FROM candidate_pair WHERE id = $1 FOR UPDATE', [small]);
      const superseding = supersedePending(leaving!, 'missing', m);
      await waitingForALock(pool, 'the leaving record');
      await job!.query('SELECT 1 FROM candidate_pair WHERE id = $1 FOR UPDATE', [large]);
      await job!.query('COMMIT');
      expect(await superseding).toBe(2);
      await leaving!.query('COMMIT');
    });
    const { rows } = await pool.query('SELECT state FROM candidate_pair WHERE missing_id = $1', [m]);
    expect(rows.map((row) => row.state)).toEqual(['superseded', 'superseded']);
  });
});

describe('restoration', () => {
  async function confirmedRestoration() {
    const [m, f] = [await record('missing'), await record('found')];
    const id = await pair(m, f);
    await decide(id, 'confirm');
    const { rows } = await t.db.database.pool.query('SELECT id FROM restoration WHERE candidate_id = $1', [id]);
    return { restorationId: rows[0].id as string, m, f };
  }
  const step = (id: string, to: string, extra: object = {}) =>
    t.app.inject({ method: 'POST', url: `/api/v1/restorations/${id}/steps`, headers: t.auth.repatriation, payload: { to, note: `moved to ${to}`, ...extra } });

  it('moves only along its stages; a hand-over marks the report traced and the child restored', async () => {
    const { restorationId, m, f } = await confirmedRestoration();
    expect((await step(restorationId, 'escort')).statusCode).toBe(409);
    for (const stage of ['cwc_order', 'home_verification', 'escort', 'handed_over']) {
      const answer = await step(restorationId, stage);
      expect(answer.statusCode, `${stage}: ${answer.body}`).toBe(200);
    }
    expect(await statusOf('missing_report', m)).toBe('traced');
    expect(await statusOf('found_child', f)).toBe('restored');
    expect((await step(restorationId, 'follow_up', { dueDate: '2020-01-15' })).statusCode).toBe(200);
    expect((await step(restorationId, 'follow_up', { dueDate: '2020-04-15' })).statusCode).toBe(200);
    const overdue = (await t.app.inject({ method: 'GET', url: '/api/v1/restorations?overdue=true', headers: t.auth.repatriation })).json().items;
    expect(overdue.map((r: { id: string }) => r.id)).toContain(restorationId);
    expect((await step(restorationId, 'closed')).statusCode).toBe(200);
    expect((await step(restorationId, 'follow_up')).statusCode).toBe(409);
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/restorations/${restorationId}`, headers: t.auth.repatriation })).json();
    expect(detail.steps.map((s: { toStage: string }) => s.toStage)).toEqual(['confirmed', 'cwc_order', 'home_verification', 'escort', 'handed_over', 'follow_up', 'follow_up', 'closed']);
    expect(detail.steps.every((s: { actor: string }) => s.actor)).toBe(true);
  });

  it('can be cancelled from an open stage with a reason, and documents attach to steps', async () => {
    const { restorationId } = await confirmedRestoration();
    const boundary = '----doc';
    const pdf = Buffer.from('%PDF-1.4\n% CWC order (synthetic)\n');
    const upload = await t.app.inject({
      method: 'POST', url: `/api/v1/restorations/${restorationId}/documents`,
      headers: { ...t.auth.repatriation, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="cwc-order.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    expect(upload.json()).toMatchObject({ contentType: 'application/pdf', name: 'cwc-order.pdf' });
    expect((await step(restorationId, 'cwc_order', { documents: [upload.json()] })).statusCode).toBe(200);
    expect((await step(restorationId, 'cancelled', { note: 'family moved; address unknown' })).statusCode).toBe(200);
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/restorations/${restorationId}`, headers: t.auth.repatriation })).json();
    expect(detail.stage).toBe('cancelled');
    expect(detail.steps[1].documents).toEqual([upload.json()]);
  });
});
