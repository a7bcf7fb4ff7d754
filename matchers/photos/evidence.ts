// Photo evidence for a pair: whether two records carry the same photograph (a poster, a forwarded
// copy, a re-scan), however it was turned or mirrored. Only hashes of usable quality count. Finding
// the near photos among millions is hash-index.ts's work.
import { dihedralNames, hammingDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY, type Dihedral } from './pdq.ts';

/** A usable photo hash of a record: the original and its eight dihedral variants (original first). */
export interface PhotoHash {
  hash: string;
  variants: readonly string[];
}

/** Hashes whose quality carries evidence, as PhotoHash (flat, tiny or featureless pictures dropped). */
export function usablePhotoHashes(hashes: readonly { hash: string; quality: number; variants: Readonly<Record<Dihedral, string>> | readonly string[] }[]): PhotoHash[] {
  return hashes
    .filter((photo) => photo.quality >= PDQ_MIN_QUALITY)
    .map((photo) => ({ hash: photo.hash, variants: Array.isArray(photo.variants) ? [...photo.variants] : dihedralNames.map((name) => (photo.variants as Record<Dihedral, string>)[name]) }));
}

/**
 * The smallest distance between a photo of one record and any turn or mirror of a photo of the
 * other, or null when either has no usable photo. Both ways round: a mirror flips the signs of odd
 * DCT coefficients and so moves the median, so a variant is not an exact permutation of the bits.
 */
export function closestPhotoDistance(a: readonly PhotoHash[], b: readonly PhotoHash[]): number | null {
  if (!a.length || !b.length) return null;
  let best = Infinity;
  for (const x of a) {
    for (const y of b) {
      for (const variant of y.variants) best = Math.min(best, hammingDistance(x.hash, variant));
      for (const variant of x.variants) best = Math.min(best, hammingDistance(y.hash, variant));
    }
  }
  return best;
}

/** Whether two records share a photograph (within PDQ's match distance). */
export const samePhotograph = (a: readonly PhotoHash[], b: readonly PhotoHash[]): boolean => {
  const distance = closestPhotoDistance(a, b);
  return distance !== null && distance <= PDQ_MATCH_DISTANCE;
};
