// The record shapes of CONTRACT.md as plain types. The service's zod schemas (src/records) parse
// input into exactly these, and `milap link` reads JSONL into them, so the matchers see one shape.

export type Sex = 'male' | 'female' | 'other' | 'unknown';

/** A place as free text: every part optional; district and state resolve against the gazetteer. */
export interface Place {
  place?: string | null;
  district?: string | null;
  state?: string | null;
  lat?: number | null;
  lon?: number | null;
}

export interface HomePlace extends Place {
  address?: string | null;
  pincode?: string | null;
}

/** A missing-child report filed by police. */
export interface MissingReport {
  ref: string;
  name: string;
  aliases?: string[] | null;
  sex: Sex;
  birthDate?: string | null;
  ageYears?: number | null;
  missingSince: string;
  lastSeen?: Place | null;
  home?: HomePlace | null;
  fatherName?: string | null;
  motherName?: string | null;
  guardianName?: string | null;
  languages?: string[] | null;
  heightCm?: number | null;
  identificationMarks?: string | null;
  description?: string | null;
  policeStation?: string | null;
  contactPhone?: string | null;
  photos?: string[] | null;
}

/** A found or rescued child registered by a shelter, CWC, Childline, railway police or a drive. */
export interface FoundChild {
  ref: string;
  name?: string | null;
  aliases?: string[] | null;
  sex: Sex;
  birthDate?: string | null;
  apparentAgeYears?: number | null;
  ageRangeYears?: [number, number] | null;
  foundOn: string;
  foundAt?: Place | null;
  statedHome?: Place | null;
  fatherName?: string | null;
  motherName?: string | null;
  languages?: string[] | null;
  heightCm?: number | null;
  identificationMarks?: string | null;
  description?: string | null;
  institution?: string | null;
  photos?: string[] | null;
}

export type Side = 'missing' | 'found';
