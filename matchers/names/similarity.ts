// Jaro-Winkler similarity of two short strings, and the best alignment of one name's parts into
// another's (parts in any order, a missing surname on one side).

// Which letters of each string are matched: one pair of buffers reused by every call (names are
// short; a longer pair gets buffers of its own), cleared over the strings' lengths, instead of two
// arrays allocated for each of the millions of calls a link makes.
const scratchA = new Uint8Array(64);
const scratchB = new Uint8Array(64);

export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  if (!a.length || !b.length) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const short = a.length <= scratchA.length && b.length <= scratchB.length;
  const aMatched = short ? scratchA.fill(0, 0, a.length) : new Uint8Array(a.length);
  const bMatched = short ? scratchB.fill(0, 0, b.length) : new Uint8Array(b.length);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const start = Math.max(0, i - window);
    const end = Math.min(b.length - 1, i + window);
    for (let j = start; j <= end; j++) {
      if (bMatched[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      aMatched[i] = 1;
      bMatched[j] = 1;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  return withWinkler((matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3, a, b);
}

/** Winkler's step: `jaro` raised by the common prefix of `a` and `b`, up to four letters (jaroWinkler, and its bound jaroWinklerAtMost by the same arithmetic). */
function withWinkler(jaro: number, a: string, b: string): number {
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** How many of each letter one string has, for jaroWinklerAtMost: one buffer reused by every call, left empty after each. */
const letterCounts = new Uint8Array(128);

/**
 * An upper bound of jaroWinkler(a, b), without aligning them: the letters they have in common, each
 * as often as both have it, are at least as many as the letters Jaro matches within its window, and
 * none of those is a transposition at best; the common prefix is the one Winkler adds to. Every term
 * of the bound is at least its term of the similarity, and the arithmetic is the same, so the bound
 * is never below the similarity as computed. A letter outside ASCII (none, once names are read into
 * Latin) or a string longer than 255 letters gives 1, bounding nothing.
 */
export function jaroWinklerAtMost(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  if (!a.length || !b.length) return 0;
  if (a.length > 255 || b.length > 255) return 1;
  let ascii = true;
  for (let i = 0; i < a.length; i++) {
    const code = a.charCodeAt(i);
    if (code >= 128) ascii = false;
    else letterCounts[code]!++;
  }
  let common = 0;
  if (ascii) {
    for (let j = 0; j < b.length; j++) {
      const code = b.charCodeAt(j);
      if (code >= 128) {
        ascii = false;
        break;
      }
      if (letterCounts[code]) {
        letterCounts[code]!--;
        common++;
      }
    }
  }
  for (let i = 0; i < a.length; i++) {
    const code = a.charCodeAt(i);
    if (code < 128) letterCounts[code] = 0;
  }
  if (!ascii) return 1;
  if (!common) return 0;
  return withWinkler((common / a.length + common / b.length + 1) / 3, a, b);
}

/**
 * Whether some part of one name and some part of the other could be `threshold` alike by
 * Jaro-Winkler (jaroWinklerAtMost): if none could, neither could the mean of alignedSimilarity's best
 * matches. A margin far below the bounds' own differences keeps rounding on the side of computing.
 */
export function partsCouldReach(a: readonly string[], b: readonly string[], threshold: number): boolean {
  for (const x of a) for (const y of b) if (jaroWinklerAtMost(x, y) >= threshold - 1e-9) return true;
  return false;
}

/**
 * Each part of the shorter name matched to its most similar unused part of the longer one; the
 * mean similarity of those matches. Computed from both sides when they are as long, so it is symmetric.
 */
export function alignedSimilarity(a: string[], b: string[], similarity: (x: string, y: string) => number = jaroWinkler): number {
  if (!a.length || !b.length) return 0;
  if (a.length < b.length) return alignedInto(a, b, similarity);
  if (b.length < a.length) return alignedInto(b, a, similarity);
  return Math.max(alignedInto(a, b, similarity), alignedInto(b, a, similarity));
}

/** Each part of `short`, in turn, matched to its most similar part of `long` not yet used; their mean similarity. */
function alignedInto(short: string[], long: string[], similarity: (x: string, y: string) => number): number {
  // Plain loops and a list of used parts: this runs for every candidate pair's names.
  const used: number[] = [];
  let total = 0;
  for (const part of short) {
    let best = 0;
    let bestIndex = -1;
    for (let index = 0; index < long.length; index++) {
      if (used.includes(index)) continue;
      const score = similarity(part, long[index]!);
      if (score > best) {
        best = score;
        bestIndex = index;
      }
    }
    if (bestIndex >= 0) used.push(bestIndex);
    total += best;
  }
  return total / short.length;
}

/** Whether two strings are at most one edit apart: a letter changed, added, dropped, or two swapped. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) [endA, endB] = [endA - 1, endB - 1];
  const [restA, restB] = [endA - start, endB - start];
  if (restA <= 1 && restB <= 1) return true;
  return restA === 2 && restB === 2 && a[start] === b[start + 1] && a[start + 1] === b[start];
}
