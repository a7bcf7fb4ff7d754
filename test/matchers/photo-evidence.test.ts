// Photo evidence in the model and in blocking: the same photograph, turned or mirrored or copied,
// is found whatever the names and ages say, and counts for the pair; alone it never makes a pair
// likely (a reused poster can show a different child); training on photo-less data leaves it be.
import { beforeAll, describe, expect, it } from 'vitest';
import { comparisonVector, defaultModel, photoAloneCeiling, scorePrepared, weighPrepared } from '../../matchers/model.ts';
import { estimateU } from '../../matchers/em.ts';
import { linkRecords } from '../../matchers/link.ts';
import { closestPhotoDistance, samePhotograph, usablePhotoHashes, type PhotoHash } from '../../matchers/photos/evidence.ts';
import { PDQ_MATCH_DISTANCE } from '../../matchers/photos/pdq.ts';
import { prepareFound, prepareMissing } from '../../matchers/prepare.ts';
import { pdqHashOfImage } from '../../src/photos/pdq-image.ts';
import sharp from 'sharp';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';
import { forwardedCopy, scene } from '../helpers/pictures.ts';

let familyPhoto: PhotoHash[] = [];
let poster: PhotoHash[] = [];
let otherPicture: PhotoHash[] = [];
let flat: PhotoHash[] = [];

beforeAll(async () => {
  const picture = await scene(41);
  familyPhoto = usablePhotoHashes([await pdqHashOfImage(picture)]);
  poster = usablePhotoHashes([await pdqHashOfImage(await sharp(await forwardedCopy(picture)).rotate(90).toBuffer())]);
  otherPicture = usablePhotoHashes([await pdqHashOfImage(await scene(42))]);
  flat = usablePhotoHashes([await pdqHashOfImage(await sharp({ create: { width: 300, height: 300, channels: 3, background: '#777' } }).png().toBuffer())]);
});

// A boy found in Kerala with nothing in common with Lakshmi's report but the picture.
const stranger = () =>
  fullFoundChild({
    name: 'Arjun', aliases: [], sex: 'male', apparentAgeYears: 16, ageRangeYears: null, fatherName: null, motherName: null, identificationMarks: null, languages: ['ml'],
    foundAt: { place: 'Ernakulam Junction', district: 'Ernakulam', state: 'Kerala' }, statedHome: null,
  });

// A child who could say nothing: no name, no age, no home; only the photograph can find the report.
const silent = () =>
  fullFoundChild({
    name: null, aliases: [], sex: 'unknown', apparentAgeYears: null, ageRangeYears: null, fatherName: null, motherName: null, identificationMarks: null,
    languages: [], foundAt: null, statedHome: null,
  });

const photoEntry = (explanation: { comparison: string; level: string; weight: number }[]) => explanation.find((entry) => entry.comparison === 'photo');

describe('the same photograph', () => {
  it('is recognised after a mirror, a turn, a resize and a poor JPEG, and told from another picture', () => {
    expect(familyPhoto).toHaveLength(1);
    expect(poster).toHaveLength(1);
    expect(closestPhotoDistance(familyPhoto, poster)).toBeLessThanOrEqual(PDQ_MATCH_DISTANCE);
    expect(samePhotograph(familyPhoto, poster)).toBe(true);
    expect(samePhotograph(familyPhoto, otherPicture)).toBe(false);
    expect(closestPhotoDistance(familyPhoto, [])).toBeNull();
  });

  it('is the same distance whichever record is asked first', () => {
    expect(closestPhotoDistance(familyPhoto, poster)).toBe(closestPhotoDistance(poster, familyPhoto));
    expect(closestPhotoDistance(familyPhoto, otherPicture)).toBe(closestPhotoDistance(otherPicture, familyPhoto));
  });

  it('a flat picture carries no evidence at all', () => {
    expect(flat).toEqual([]);
  });
});

describe('photo evidence in the model', () => {
  it('adds weight to a pair the names already support', () => {
    const report = fullMissingReport();
    const child = fullFoundChild();
    const without = scorePrepared(prepareMissing(report), prepareFound(child));
    const withPhoto = scorePrepared(prepareMissing(report, familyPhoto), prepareFound(child, poster));
    expect(photoEntry(without.explanation)?.level).toBe('unknown');
    expect(photoEntry(withPhoto.explanation)).toMatchObject({ level: 'same_photo' });
    expect(photoEntry(withPhoto.explanation)!.weight).toBeGreaterThan(5);
    expect(withPhoto.matchWeight).toBeGreaterThan(without.matchWeight + 5);
  });

  it('a different photograph counts a little against, never as much as a name', () => {
    const scored = scorePrepared(prepareMissing(fullMissingReport(), familyPhoto), prepareFound(fullFoundChild(), otherPicture));
    expect(photoEntry(scored.explanation)!.level).toBe('different');
    expect(photoEntry(scored.explanation)!.weight).toBeLessThan(0);
    expect(photoEntry(scored.explanation)!.weight).toBeGreaterThan(-1);
  });

  it('alone never makes a pair likely, even under a model that overrates photos, and says why', () => {
    const overrated = structuredClone(defaultModel);
    overrated.comparisons.photo!.same_photo!.u = 1e-12;
    for (const child of [silent(), stranger()]) {
      const scored = scorePrepared(prepareMissing(fullMissingReport(), familyPhoto), prepareFound(child, poster), overrated);
      expect(scored.probability).toBeLessThanOrEqual(photoAloneCeiling + 1e-9);
      const without = scorePrepared(prepareMissing(fullMissingReport()), prepareFound(child), overrated);
      expect(scored.probability).toBeGreaterThan(without.probability);
    }
    const silentPair = scorePrepared(prepareMissing(fullMissingReport(), familyPhoto), prepareFound(silent(), poster), overrated);
    expect(photoEntry(silentPair.explanation)!.level).toBe('same_photo_unsupported');
    expect(silentPair.probability).toBeCloseTo(photoAloneCeiling, 3);
    // With the shipped model the photo alone is already short of likely.
    expect(scorePrepared(prepareMissing(fullMissingReport(), familyPhoto), prepareFound(silent(), poster)).probability).toBeLessThan(0.5);
  });

  it('with other support (a name, an age, a sex) the photograph counts in full', () => {
    const overrated = structuredClone(defaultModel);
    overrated.comparisons.photo!.same_photo!.u = 1e-12;
    const scored = scorePrepared(prepareMissing(fullMissingReport(), familyPhoto), prepareFound(fullFoundChild(), poster), overrated);
    expect(photoEntry(scored.explanation)!.level).toBe('same_photo');
  });

  it('a pair weighed without its explanation (as milap link weighs every candidate) has the same weight and probability', () => {
    const overrated = structuredClone(defaultModel);
    overrated.comparisons.photo!.same_photo!.u = 1e-12;
    for (const model of [defaultModel, overrated]) {
      for (const child of [fullFoundChild(), silent(), stranger()]) {
        for (const [reportPhotos, childPhotos] of [[familyPhoto, poster], [familyPhoto, otherPicture], [[], []]]) {
          const missing = prepareMissing(fullMissingReport(), reportPhotos);
          const found = prepareFound(child, childPhotos);
          const { matchWeight, probability } = scorePrepared(missing, found, model, () => 0.01, 5000);
          expect(weighPrepared(missing, found, model, () => 0.01, 5000)).toEqual({ matchWeight, probability });
        }
      }
    }
  });

  it('training on data without photos leaves the photo parameters as they were', () => {
    const vectors = [comparisonVector(prepareMissing(fullMissingReport()), prepareFound(stranger()))];
    expect(estimateU(defaultModel, vectors).comparisons.photo).toEqual(defaultModel.comparisons.photo);
  });
});

describe('photo-hash proximity in blocking', () => {
  it('`milap link` pairs records that share only a photograph, which no name key would pair', () => {
    const report = fullMissingReport({ ref: 'FIR-PHOTO' });
    const child = silent();
    expect([...linkRecords([report], [child])]).toEqual([]);
    const photos = { missing: new Map([[report.ref, familyPhoto]]), found: new Map([[child.ref, poster]]) };
    const pairs = [...linkRecords([report, fullMissingReport({ ref: 'FIR-OTHER', name: 'Pinki' })], [child], { photos })];
    expect(pairs.map((pair) => pair.missingRef)).toEqual(['FIR-PHOTO']);
    expect(pairs[0]!.probability).toBeLessThan(0.5);
    expect(photoEntry(pairs[0]!.explanation)!.level).toMatch(/^same_photo/);
  });
});
