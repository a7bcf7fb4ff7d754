// Every record's age as an estimated birth-date interval, in days since 1970-01-01: a birth date
// (± a few days), an age when the child went missing, a shelter's "about 11" widened by how badly
// children's ages are estimated, or a medical range. Comparing intervals: close, overlap, or the gap;
// and the time from going missing to being found.

export interface BirthInterval {
  from: number;
  to: number;
}

const dayMs = 86_400_000;
const year = 365.25;

export function dayOf(isoDate: string): number {
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / dayMs);
}

export const isoOfDay = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10);

/** How far a registering officer's estimate of a child's age is usually off, in years. */
export function estimateUncertainty(years: number): number {
  if (years < 6) return 1.5;
  if (years < 12) return 2.5;
  return 3;
}

export function fromBirthDate(birthDate: string): BirthInterval {
  const day = dayOf(birthDate);
  return { from: day - 3, to: day + 3 };
}

/** A family's "she was 9" on the day she went missing: born 9 to 10 years before, give or take half a year. */
export function fromAgeAt(ageYears: number, on: string): BirthInterval {
  const day = dayOf(on);
  return { from: Math.round(day - (ageYears + 1.5) * year), to: Math.round(day - (ageYears - 0.5) * year) };
}

/** An officer's "about 11" on the day the child was found, widened by the estimate's uncertainty. */
export function fromEstimate(apparentYears: number, on: string): BirthInterval {
  const day = dayOf(on);
  const spread = estimateUncertainty(apparentYears);
  return { from: Math.round(day - (apparentYears + spread + 0.5) * year), to: Math.round(day - Math.max(0, apparentYears - spread) * year) };
}

/** A medical estimate [low, high] years on the day the child was found. */
export function fromRange([low, high]: [number, number], on: string): BirthInterval {
  const day = dayOf(on);
  return { from: Math.round(day - (high + 1) * year), to: Math.round(day - low * year) };
}

/** Years between two intervals; 0 when they overlap. */
export function gapYears(a: BirthInterval, b: BirthInterval): number {
  const gap = Math.max(a.from, b.from) - Math.min(a.to, b.to);
  return gap <= 0 ? 0 : gap / year;
}

export type AgeLevel = 'close' | 'near' | 'overlap' | 'far_overlap' | 'within_2y' | 'within_4y' | 'apart';

/**
 * How far apart the middles of two overlapping birth intervals may lie, in years, for each level
 * (the birth day each record's own estimate points at): within nine months 'close', within 1¾ years
 * 'near', within 2¾ 'overlap', further 'far_overlap'. Two wide intervals overlap even when their
 * middles lie three years apart, and among a child's candidates that is evidence against (bench/quality.ts).
 */
export const closeYears = 0.75;
export const nearYears = 1.75;
export const overlapYears = 2.75;

/** The middle of an interval: the birth day each record's own estimate points at. */
const middle = (interval: BirthInterval) => (interval.from + interval.to) / 2;

export function ageLevel(a: BirthInterval, b: BirthInterval): AgeLevel {
  const gap = gapYears(a, b);
  if (gap === 0) {
    const apart = Math.abs(middle(a) - middle(b)) / year;
    return apart <= closeYears ? 'close' : apart <= nearYears ? 'near' : apart <= overlapYears ? 'overlap' : 'far_overlap';
  }
  if (gap <= 2) return 'within_2y';
  if (gap <= 4) return 'within_4y';
  return 'apart';
}

export type TimeLevel = 'within_month' | 'within_year' | 'later' | 'before';

/**
 * The bounds of the time levels in days from going missing to being found: found more than `slack`
 * days before is 'before', at most `month` days after 'within_month', at most `year` 'within_year'.
 */
export const timeBounds = { slack: 30, month: 31, year: 366 } as const;

/**
 * How long after going missing a child was found. Most are found within weeks; found before going
 * missing is near-impossible (a late report gets 30 days' slack).
 */
export function timeLevel(missingDay: number, foundDay: number): TimeLevel {
  const days = foundDay - missingDay;
  if (days < -timeBounds.slack) return 'before';
  if (days <= timeBounds.month) return 'within_month';
  if (days <= timeBounds.year) return 'within_year';
  return 'later';
}
