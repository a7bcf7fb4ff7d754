// `milap link` as CONTRACT.md says: one JSON line per candidate pair, malformed lines reported and
// skipped, exit status 0 / 2, nothing written but --out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { forwardedCopy, scene } from '../helpers/pictures.ts';

const dir = mkdtempSync(join(tmpdir(), 'milap-link-'));
const milap = (...args: string[]) => spawnSync(process.execPath, ['bin/milap.js', 'link', ...args], { encoding: 'utf8', timeout: 120_000 });
const missing = join(dir, 'missing.jsonl');
const found = join(dir, 'found.jsonl');
writeFileSync(missing, [
  JSON.stringify({ ref: 'FIR-1/2023', name: 'Lakshmi Kumari', sex: 'female', ageYears: 9, missingSince: '2023-03-10', home: { district: 'Dhanbad', state: 'Jharkhand' }, fatherName: 'Ramesh Mahto' }),
  '{"ref": "FIR-2/2023", "name": ',
  JSON.stringify({ ref: 'FIR-3/2023', name: 'Rahul', sex: 'male', ageYears: 7, missingSince: '2023-01-01' }),
  JSON.stringify({ ref: 'FIR-4/2023', name: 'Pooja', sex: 'girl', missingSince: '2023-01-01' }),
].join('\n'));
writeFileSync(found, `${JSON.stringify({ ref: 'CCI-1', name: 'लछमी', sex: 'female', apparentAgeYears: 11, foundOn: '2025-01-20', statedHome: { district: 'Dhanbad' }, fatherName: 'रमेश' })}\n`);

describe('milap link', () => {
  it('writes candidate pairs as JSON lines, reports bad lines and skips them', () => {
    const run = milap('--missing', missing, '--found', found);
    expect(run.status).toBe(0);
    const pairs = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(pairs[0]).toMatchObject({ missingRef: 'FIR-1/2023', foundRef: 'CCI-1' });
    expect(pairs[0].probability).toBeGreaterThanOrEqual(0.5);
    expect(Object.keys(pairs[0])).toEqual(['missingRef', 'foundRef', 'probability', 'matchWeight', 'explanation']);
    expect(pairs[0].explanation[1]).toEqual({ comparison: 'name', level: expect.any(String), weight: expect.any(Number) });
    expect(run.stderr).toMatch(/missing\.jsonl:2: .*JSON/);
    expect(run.stderr).toMatch(/missing\.jsonl:4: sex: /);
    expect(run.stderr).toMatch(/read 2 missing and 1 found records \(2 malformed lines skipped\)/);
  });

  it('--out writes the file and nothing else; --top limits the pairs per found child', () => {
    const before = readdirSync(dir).length;
    const out = join(dir, 'candidates.jsonl');
    const run = milap('--missing', missing, '--found', found, '--out', out, '--top', '1');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(readdirSync(dir)).toHaveLength(before + 1);
  });

  it('exits 2 on bad arguments and unreadable files', () => {
    expect(milap('--missing', missing).status).toBe(2);
    expect(milap('--missing', missing, '--found', found, '--top', 'many').status).toBe(2);
    expect(milap('--missing', join(dir, 'nope.jsonl'), '--found', found).status).toBe(2);
    expect(milap('--missing', missing, '--found', found, '--colour').status).toBe(2);
  });

  it('reads photos beside the files and pairs records that share only a photograph', async () => {
    const photoDir = mkdtempSync(join(tmpdir(), 'milap-link-photos-'));
    mkdirSync(join(photoDir, 'photos'));
    const family = await scene(71);
    writeFileSync(join(photoDir, 'photos', 'family.png'), family);
    writeFileSync(join(photoDir, 'photos', 'poster.jpg'), await sharp(await forwardedCopy(family)).rotate(90).toBuffer());
    writeFileSync(join(photoDir, 'photos', 'notes.jpg'), 'not a picture');
    const reports = join(photoDir, 'missing.jsonl');
    const children = join(photoDir, 'found.jsonl');
    writeFileSync(reports, `${JSON.stringify({ ref: 'FIR-9/2024', name: 'Lakshmi Kumari', sex: 'female', ageYears: 9, missingSince: '2024-03-10', photos: ['photos/family.png'] })}\n`);
    writeFileSync(children, `${JSON.stringify({ ref: 'CCI-9', sex: 'unknown', foundOn: '2025-06-01', photos: ['photos/poster.jpg', 'photos/notes.jpg'] })}\n`);
    const run = milap('--missing', reports, '--found', children);
    expect(run.status, run.stderr).toBe(0);
    const pairs = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ missingRef: 'FIR-9/2024', foundRef: 'CCI-9' });
    expect(pairs[0].probability).toBeLessThan(0.5);
    expect(pairs[0].explanation.find((entry: { comparison: string }) => entry.comparison === 'photo').level).toMatch(/^same_photo/);
    expect(run.stderr).toMatch(/CCI-9: photo photos\/notes\.jpg cannot be read as an image/);
  });
});
