// The keys in memory a match worker searches (matchers/live-index.ts): the reports they admit for a
// found child are those `milap link` admits, and a record changed, made inactive or read late is
// held as it is now.
import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { ageWindowOverlaps, blockingKeys, keyLimits, keyReach, rankedBest, rankedBestOf } from '../../matchers/blocking.ts';
import { CandidateIndex } from '../../matchers/candidate-index.ts';
import { candidatesOf } from '../../matchers/link.ts';
import { heldRecord, LiveKeyIndex, type LiveHit, type LiveRecord } from '../../matchers/live-index.ts';
import { prepareFound, prepareMissing, type PreparedRecord } from '../../matchers/prepare.ts';

/** As the service stores them: whole days (a date column). */
const inWholeDays = (record: PreparedRecord): PreparedRecord => ({
  ...record,
  birth: record.birth && { ...record.birth, from: Math.floor(record.birth.from), to: Math.floor(record.birth.to) },
  eventDay: Math.floor(record.eventDay),
});

const live = (id: string, record: PreparedRecord, fields: Partial<LiveRecord> = {}): LiveRecord => ({ ...heldRecord(id, record), ...fields });

/** The ids of the records a search admitted, sorted. */
const idsOf = (hits: readonly LiveHit[]) => hits.map((hit) => hit.id).sort();

/**
 * For each found child of a world, the reports the keys in memory admit and her rank floor are those
 * of milap link's index; returns how many children ranked reports (a floor above 0).
 */
function childrenAdmittedAsLink(size: { missing: number; found: number; seed: number }): number {
  const world = generateWorld(size);
  const reports = world.missing.map((report) => inWholeDays(prepareMissing(report)));
  const children = world.found.map((child) => inWholeDays(prepareFound(child)));
  const index = new LiveKeyIndex();
  reports.forEach((report, i) => index.put('missing', live(`m${i}`, report)));
  const batch = new CandidateIndex(reports, blockingKeys);
  let ranked = 0;
  for (const child of children) {
    const expected = new Set<string>();
    // The batch index visits the records that may lie within the window; link keeps those that do.
    const floor = candidatesOf(batch, child, (position) => ageWindowOverlaps(reports[position]!, child) && expected.add(`m${position}`));
    const found = index.partnersOfChild(live('f', child), rankedBestOf(child));
    expect(idsOf(found.reports)).toEqual([...expected].sort());
    expect(found.floor).toBe(floor);
    if (floor > 0) ranked++;
  }
  return ranked;
}

describe('the keys in memory', () => {
  it("admit for each found child the reports milap link's index admits, with her rank floor", () => {
    expect(childrenAdmittedAsLink({ missing: 3000, found: 800, seed: 8 })).toBeGreaterThan(20);
  });

  it('rank a child\'s reports as milap link does where nearly every child is ranked, leaving unread only the dates that could not lift a report past her floor', () => {
    // Denser: most children rank their reports, many near the floor, where a bound on the dates'
    // weight one bit too low (1,000 of its thousandths) left out a report link admits; one too high
    // reads dates for nothing, which no answer shows.
    expect(childrenAdmittedAsLink({ missing: 12000, found: 600, seed: 5 })).toBeGreaterThan(500);
  });

  it('built in bulk (each key list made once, at its length) answer as when built record by record, and after changes too', () => {
    const world = generateWorld({ missing: 1500, found: 400, seed: 12 });
    const reports = world.missing.map((report) => inWholeDays(prepareMissing(report)));
    const children = world.found.map((child) => inWholeDays(prepareFound(child)));
    const one = new LiveKeyIndex();
    const bulk = new LiveKeyIndex();
    bulk.beginBulk();
    for (const index of [one, bulk]) {
      reports.forEach((report, i) => index.put('missing', live(`m${i}`, report, { active: i % 10 !== 0 })));
      children.forEach((child, i) => index.put('found', live(`f${i}`, child)));
      // A record put twice while building: its second version's keys, not its first's.
      index.put('missing', live('m1', reports[2]!, { version: 2 }));
      // Inactive records read from the key table row by row.
      for (const key of blockingKeys(reports[3]!)) index.addKeyRow('missing', 'closed', false, NaN, NaN, 17000, key);
      index.finishRows();
    }
    bulk.endBulk();
    const answers = (index: LiveKeyIndex) => [
      ...children.map((child) => {
        const { reports: admitted, floor } = index.partnersOfChild(live('f', child), rankedBestOf(child));
        return { reports: idsOf(admitted), floor };
      }),
      ...reports.slice(0, 300).map((report) => idsOf(index.partnersOfReport(live('m', report)))),
      ...reports.slice(0, 100).map((report) => idsOf(index.sameSide('missing', live('m', report)))),
    ].map((answer) => JSON.stringify(answer));
    expect(answers(bulk)).toEqual(answers(one));
    expect(children.some((child) => bulk.partnersOfChild(live('f', child), rankedBestOf(child)).reports.length > 0)).toBe(true);
    // A key up to its too-common bound, and one more report no longer looked for, read row by row:
    // counted in bulk too, so the key admits nobody.
    const key = 'h:BR-gaya:female';
    const crowd = new LiveKeyIndex();
    crowd.beginBulk();
    for (let i = 0; i < keyReach * keyLimits.h!; i++) crowd.put('missing', { id: `r${i}`, version: 1, active: true, bornFrom: NaN, bornTo: NaN, eventDay: i < 30 ? 18990 : 17000, keys: [key] });
    crowd.addKeyRow('missing', 'closed', false, NaN, NaN, 17000, key);
    crowd.finishRows();
    crowd.endBulk();
    expect(crowd.partnersOfChild({ id: 'c', bornFrom: NaN, bornTo: NaN, eventDay: 19000, keys: [key] }, rankedBest).reports).toEqual([]);
    // Changed after the build: a report renamed and one closed, in both.
    for (const index of [one, bulk]) {
      index.put('missing', live('m5', reports[6]!, { version: 2 }));
      index.put('missing', live('m7', reports[7]!, { version: 2, active: false }));
    }
    expect(answers(bulk)).toEqual(answers(one));
  });

  it("say whether one record's search for possible duplicates admits another as the search does, on both sides, and after records change", () => {
    const world = generateWorld({ missing: 1500, found: 500, seed: 41 });
    const held = {
      missing: world.missing.map((report, i) => live(`m${i}`, inWholeDays(prepareMissing(report)), { active: i % 13 !== 0 })),
      found: world.found.map((child, i) => live(`f${i}`, inWholeDays(prepareFound(child)), { active: i % 13 !== 0 })),
    };
    const index = new LiveKeyIndex();
    index.beginBulk();
    for (const side of ['missing', 'found'] as const) for (const record of held[side]) index.put(side, record);
    index.endBulk();
    const agreement = () => {
      const counted = { admitted: 0, refused: 0, refusedSharingAKey: 0, leftToPartner: 0 };
      for (const side of ['missing', 'found'] as const) {
        const records = held[side].slice(0, 400);
        for (const from of records.slice(0, 150)) {
          const hits = index.sameSide(side, from);
          const admitted = new Set(hits.map((hit) => hit.id));
          // Asked to weigh each pair once: less the records with the smaller id whose own search admits this one.
          const left = hits.filter((hit) => !(from.active && hit.id < from.id && index.sameSideAdmits(side, hit.id, from.id)));
          expect(index.sameSide(side, from, true)).toEqual(left);
          if (from.active) counted.leftToPartner += hits.length - left.length;
          for (const to of records) {
            const admits = index.sameSideAdmits(side, from.id, to.id);
            // A record no longer looked for has no search of its own.
            expect(admits, `${from.id} admits ${to.id}`).toBe(from.active && admitted.has(to.id));
            if (admits) counted.admitted++;
            else if (from.active && to.active && to.id !== from.id && to.keys.some((key) => from.keys.includes(key))) counted.refusedSharingAKey++;
            else counted.refused++;
          }
        }
      }
      return counted;
    };
    const before = agreement();
    expect(before.admitted).toBeGreaterThan(500);
    expect(before.refusedSharingAKey).toBeGreaterThan(500);
    expect(before.leftToPartner).toBeGreaterThan(100);
    // Ages moved, keys swapped, records closed and reopened: the sorted dates the answers used follow.
    for (const side of ['missing', 'found'] as const) {
      const records = held[side];
      for (let i = 0; i < records.length; i += 5) {
        const other = records[(i * 7 + 3) % records.length]!;
        const moved = i % 3 === 0
          ? { ...records[i]!, version: 2, bornFrom: records[i]!.bornFrom - 500, bornTo: records[i]!.bornTo - 300 }
          : i % 3 === 1 ? { ...records[i]!, version: 2, keys: other.keys, bornFrom: other.bornFrom, bornTo: other.bornTo } : { ...records[i]!, version: 2, active: !records[i]!.active };
        records[i] = moved;
        index.put(side, moved);
      }
    }
    expect(agreement().admitted).toBeGreaterThan(500);
  });

  it("after reports come, change their age or keys, close and reopen, answer a report's search as an index built anew from them as they are", () => {
    const world = generateWorld({ missing: 2500, found: 700, seed: 31 });
    const reports = world.missing.map((report) => inWholeDays(prepareMissing(report)));
    const children = world.found.map((child) => inWholeDays(prepareFound(child)));
    const index = new LiveKeyIndex();
    index.beginBulk();
    reports.slice(0, 2000).forEach((report, i) => index.put('missing', live(`m${i}`, report)));
    children.forEach((child, i) => index.put('found', live(`f${i}`, child)));
    index.endBulk();
    const searched = reports.slice(0, 400);
    const answers = (of: LiveKeyIndex) => searched.map((report) => idsOf(of.partnersOfReport(live('m', report))));
    const before = answers(index);
    // Each report as it is now (the last version put), for the index built anew.
    const now = new Map<string, LiveRecord>(reports.slice(0, 2000).map((report, i) => [`m${i}`, live(`m${i}`, report)]));
    const put = (record: LiveRecord) => {
      index.put('missing', record);
      now.set(record.id, record);
    };
    for (let i = 2000; i < 2500; i++) put(live(`m${i}`, reports[i]!)); // new reports
    for (let i = 0; i < 2000; i += 7) put({ ...now.get(`m${i}`)!, version: 2, bornFrom: now.get(`m${i}`)!.bornFrom - 400, bornTo: now.get(`m${i}`)!.bornTo - 200 }); // an age corrected
    for (let i = 3; i < 2000; i += 11) put({ ...live(`m${i}`, reports[(i * 13) % 2000]!), version: 3 }); // another report's keys and age
    for (let i = 5; i < 2000; i += 9) put({ ...now.get(`m${i}`)!, version: 4, active: false }); // closed
    for (let i = 5; i < 2000; i += 27) put({ ...now.get(`m${i}`)!, version: 5, active: true }); // reopened
    for (let i = 1; i < 2000; i += 17) put({ ...now.get(`m${i}`)!, version: 6, bornFrom: NaN, bornTo: NaN }); // age struck out
    const anew = new LiveKeyIndex();
    anew.beginBulk();
    for (const record of now.values()) anew.put('missing', record);
    children.forEach((child, i) => anew.put('found', live(`f${i}`, child)));
    anew.endBulk();
    const after = answers(index);
    expect(after).toEqual(answers(anew));
    // The changes moved what the searches admit (so the sorted dates were used and kept, not left as they were).
    expect(after).not.toEqual(before);
    expect(after.filter((answer, i) => answer.join() !== before[i]!.join()).length).toBeGreaterThan(20);
  });

  it('count the records carrying a name key in any of their names as the database counts them: each once, looked for or not', () => {
    const world = generateWorld({ missing: 1200, found: 400, seed: 14 });
    const records: { side: 'missing' | 'found'; record: LiveRecord }[] = [
      ...world.missing.map((report, i) => ({ side: 'missing' as const, record: live(`m${i}`, inWholeDays(prepareMissing(report)), { active: i % 7 !== 0 }) })),
      ...world.found.map((child, i) => ({ side: 'found' as const, record: live(`f${i}`, inWholeDays(prepareFound(child)), { active: i % 5 !== 0 }) })),
      // A child named as her father is, and one as her mother, no longer looked for: each counted once.
      { side: 'found', record: { id: 'twice', version: 1, active: true, bornFrom: NaN, bornTo: NaN, eventDay: 19000, keys: ['n:ramesh', 'f:ramesh'] } },
      { side: 'missing', record: { id: 'closed', version: 1, active: false, bornFrom: NaN, bornTo: NaN, eventDay: 19000, keys: ['n:ramesh', 'm:ramesh', 'h:BR-gaya:female'] } },
    ];
    const index = new LiveKeyIndex();
    index.beginBulk();
    for (const { side, record } of records) index.put(side, record);
    index.endBulk();
    /** What the database counts: for each name key, the records whose key rows hold it after n:, f: or m:. */
    const counted = () => {
      const counts = new Map<string, number>();
      for (const { record } of records) for (const key of new Set(record.keys.filter((k) => /^[nfm]:/.test(k)).map((k) => k.slice(2)))) counts.set(key, (counts.get(key) ?? 0) + 1);
      return counts;
    };
    const before = counted();
    expect(before.size).toBeGreaterThan(500);
    for (const [key, n] of before) expect(index.nameKeyCount(key), key).toBe(n);
    expect(before.get('ramesh')).toBeGreaterThanOrEqual(2); // the two records above at least, each carrying it twice
    expect(index.nameKeyCount('no-such-name')).toBe(0);
    // After changes: a record renamed, one closed, one reopened, as the database's rows would change.
    const change = (side: 'missing' | 'found', record: LiveRecord) => {
      index.put(side, record);
      records.find((r) => r.side === side && r.record.id === record.id)!.record = record;
    };
    change('found', { ...records.find((r) => r.record.id === 'twice')!.record, version: 2, keys: ['n:suresh', 'f:ramesh'] });
    change('missing', { ...records.find((r) => r.record.id === 'closed')!.record, version: 2, active: true });
    change('missing', { ...records[1]!.record, version: 2, active: false });
    const after = counted();
    for (const key of [...before.keys(), 'suresh']) expect(index.nameKeyCount(key), key).toBe(after.get(key) ?? 0);
  });

  it('hold a record as it is now: its new keys, not its old; not a stale version; an inactive report counted but not admitted', () => {
    const [report] = generateWorld({ missing: 1, found: 0, seed: 3 }).missing.map((r) => prepareMissing(r));
    const renamed = prepareMissing({ ...generateWorld({ missing: 1, found: 0, seed: 3 }).missing[0]!, name: 'Tanushree Mahto' });
    const index = new LiveKeyIndex();
    index.put('missing', live('r1', report!));
    const asChild = (record: PreparedRecord) => index.partnersOfChild(live('c', record), rankedBestOf(record)).reports;
    // Each record admitted at the version the index holds.
    expect(asChild(report!)).toEqual([{ id: 'r1', version: 1 }]);
    expect(index.put('missing', live('r1', renamed, { version: 2 }))).toBe(true);
    expect(asChild(renamed)).toEqual([{ id: 'r1', version: 2 }]);
    const oldOnly = live('c', report!, { keys: blockingKeys(report!).filter((key) => !blockingKeys(renamed).includes(key)) });
    expect(index.partnersOfChild(oldOnly, rankedBest).reports).toEqual([]);
    // A change read late (an older version) is not applied; the same version unchanged changes nothing.
    expect(index.put('missing', live('r1', report!, { version: 1 }))).toBe(false);
    expect(index.put('missing', live('r1', renamed, { version: 2 }))).toBe(false);
    expect(asChild(renamed)).toEqual([{ id: 'r1', version: 2 }]);

    // Reports carrying one key up to its too-common bound, then one more that is no longer looked for:
    // the key admits nobody, as in the database's search, where every report carrying it counts.
    const key = 'h:BR-gaya:female';
    const bound = keyReach * keyLimits.h!;
    const crowd = new LiveKeyIndex();
    const plain = (id: string, active = true, eventDay = 17000): LiveRecord => ({ id, version: 1, active, bornFrom: NaN, bornTo: NaN, eventDay, keys: [key] });
    // The first 30 went missing in the month before she was found: they rank above the rest.
    for (let i = 0; i < bound; i++) crowd.put('missing', plain(`r${i}`, true, i < 30 ? 18990 : 17000));
    const child: LiveRecord = { ...plain('c'), eventDay: 19000 };
    expect(crowd.partnersOfChild(child, rankedBest).reports).toHaveLength(30);
    crowd.put('missing', plain('closed', false));
    expect(crowd.partnersOfChild(child, rankedBest).reports).toEqual([]);
    crowd.put('missing', { ...plain('closed'), version: 2, keys: [] }); // its key gone: the crowd admits again
    expect(crowd.partnersOfChild(child, rankedBest).reports).toHaveLength(30);
  });

  it('take a record put again at its version with the fingerprint it was put with as it is, and hold its new keys under any other fingerprint', () => {
    const [report] = generateWorld({ missing: 1, found: 0, seed: 3 }).missing.map((r) => prepareMissing(r));
    const renamed = prepareMissing({ ...generateWorld({ missing: 1, found: 0, seed: 3 }).missing[0]!, name: 'Tanushree Mahto' });
    const index = new LiveKeyIndex();
    const asChild = (record: PreparedRecord) => index.partnersOfChild(live('c', record), rankedBestOf(record)).reports;
    const onlyOf = (record: PreparedRecord, other: PreparedRecord) => live('c', record, { keys: blockingKeys(record).filter((key) => !blockingKeys(other).includes(key)) });
    expect(index.put('missing', live('r1', report!), 'first')).toBe(true);
    expect(index.put('missing', live('r1', report!), 'first')).toBe(false);
    // The same version with other keys (a photograph added keeps the version): held by its new keys, its old ones let go.
    expect(index.put('missing', live('r1', renamed), 'second')).toBe(true);
    expect(asChild(renamed)).toEqual([{ id: 'r1', version: 1 }]);
    expect(index.partnersOfChild(onlyOf(report!, renamed), rankedBest).reports).toEqual([]);
    // Put without one (a change another process made, read back), then with the first again: compared key by key.
    expect(index.put('missing', live('r1', report!))).toBe(true);
    expect(index.put('missing', live('r1', renamed), 'second')).toBe(true);
    expect(index.partnersOfChild(onlyOf(renamed, report!), rankedBest).reports).toEqual([{ id: 'r1', version: 1 }]);
    // A later version under the fingerprint of the one before is still a change.
    expect(index.put('missing', live('r1', report!, { version: 2 }), 'second')).toBe(true);
    expect(asChild(report!)).toEqual([{ id: 'r1', version: 2 }]);
  });

  it('admit nobody by a key closed for good, however few records carry it, and still count the name keys of records held after', () => {
    const index = new LiveKeyIndex();
    const record = (id: string, keys: string[]): LiveRecord => ({ id, version: 1, active: true, bornFrom: 15000, bornTo: 15400, eventDay: 19000, keys });
    const keys = ['d:zzqa', 'n:zzq', 'h:BR-gaya:female'];
    index.put('missing', record('r1', keys));
    index.put('found', record('f1', keys));
    const searches = () => [
      idsOf(index.partnersOfChild(record('f1', keys), rankedBest).reports),
      idsOf(index.partnersOfReport(record('r1', keys))),
      idsOf(index.sameSide('missing', record('r2', keys))),
    ];
    expect(searches()).toEqual([['r1'], ['f1'], ['r1']]);
    // Two of its three keys closed: the third still admits.
    expect(index.close(['d:zzqa', 'n:zzq'])).toBe(2);
    expect(index.close(['d:zzqa'])).toBe(0);
    expect(searches()).toEqual([['r1'], ['f1'], ['r1']]);
    expect(index.close(['h:BR-gaya:female'])).toBe(1);
    expect(searches()).toEqual([[], [], []]);
    expect(['d:zzqa', 'n:zzq', 'h:BR-gaya:female', 'd:zzqb'].map((key) => index.isClosed(key))).toEqual([true, true, true, false]);
    // A report put after: its name key counted with those held before (term frequencies), on both sides.
    index.put('missing', record('r2', keys));
    expect(index.nameKeyCount('zzq')).toBe(3);
    // Closed before the index was built in bulk: the same answers.
    const bulk = new LiveKeyIndex();
    bulk.close(keys);
    bulk.beginBulk();
    for (const id of ['r1', 'r2']) bulk.put('missing', record(id, keys));
    bulk.put('found', record('f1', keys));
    bulk.endBulk();
    expect([idsOf(bulk.partnersOfChild(record('f1', keys), rankedBest).reports), idsOf(bulk.sameSide('missing', record('r3', keys)))]).toEqual([[], []]);
    expect(bulk.nameKeyCount('zzq')).toBe(3);
  });
});
