// CONTRACT.md's record format as zod schemas: the one parser for the API bodies, the JSONL imports
// and `milap link`. Unknown is null or absent; an empty string is refused, so it can't pose as a value.
import { z } from 'zod';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';

const text = (max: number) => z.string().trim().min(1, 'must not be empty; use null for unknown').max(max);
const optionalText = (max: number) => text(max).nullish();

const isoDate = z.iso.date({ error: 'must be a date as YYYY-MM-DD' }).refine(
  (value) => value >= '1900-01-01' && value <= '2200-12-31',
  'must be a plausible calendar date',
);

export const sexSchema = z.enum(['male', 'female', 'other', 'unknown']);

export const placeSchema = z.strictObject({
  place: optionalText(300),
  district: optionalText(120),
  state: optionalText(120),
  lat: z.number().min(-90).max(90).nullish(),
  lon: z.number().min(-180).max(180).nullish(),
});

export const homePlaceSchema = placeSchema.extend({
  address: optionalText(500),
  pincode: z.string().trim().regex(/^\d{6}$/, 'must be a six-digit PIN code').nullish(),
});

const names = z.array(text(200)).max(20).nullish();
const languages = z.array(text(60)).max(20).nullish();
const photos = z.array(text(500)).max(20).nullish();
const age = z.number().min(0).max(25);

const commonFields = {
  ref: text(100),
  aliases: names,
  sex: sexSchema,
  birthDate: isoDate.nullish(),
  fatherName: optionalText(200),
  motherName: optionalText(200),
  languages,
  heightCm: z.number().min(20).max(230).nullish(),
  identificationMarks: optionalText(2000),
  description: optionalText(4000),
  photos,
};

export const missingReportSchema = z.strictObject({
  ...commonFields,
  name: text(200),
  ageYears: age.nullish(),
  missingSince: isoDate,
  lastSeen: placeSchema.nullish(),
  home: homePlaceSchema.nullish(),
  guardianName: optionalText(200),
  policeStation: optionalText(200),
  contactPhone: z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number').nullish(),
}) satisfies z.ZodType<MissingReport>;

export const foundChildObject = z.strictObject({
    ...commonFields,
    name: optionalText(200),
    apparentAgeYears: age.nullish(),
    ageRangeYears: z.tuple([age, age]).nullish(),
    foundOn: isoDate,
    foundAt: placeSchema.nullish(),
    statedHome: placeSchema.nullish(),
    institution: optionalText(200),
});

export const foundChildSchema = foundChildObject
  .refine((r) => !r.ageRangeYears || r.ageRangeYears[0] <= r.ageRangeYears[1], {
    message: 'low must not exceed high',
    path: ['ageRangeYears'],
  }) satisfies z.ZodType<FoundChild>;

export type MissingReportInput = z.infer<typeof missingReportSchema>;
export type FoundChildInput = z.infer<typeof foundChildSchema>;

/** A PATCH body: any subset of the fields; the merged record is validated again in full. */
export const missingReportPatchSchema = missingReportSchema.partial();
export const foundChildPatchSchema = foundChildObject.partial();
