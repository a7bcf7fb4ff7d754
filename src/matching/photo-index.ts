// The photo-hash proximity key of the match job: every usable photo hash of each side, held in
// memory by each worker process (a multi-index over 16-bit chunks finds all hashes within 31 bits
// among millions in a few milliseconds), kept current by reading only photos saved since the last
// look. "Since" is by transaction id, from the oldest transaction still running at the last look:
// a photo whose transaction began earlier but committed later is read then, never skipped.
import type { PhotoHash } from '../../matchers/photos/evidence.ts';
import { PdqHashIndex } from '../../matchers/photos/hash-index.ts';
import { PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../../matchers/photos/pdq.ts';
import { perPool } from '../db/per-pool.ts';
import { preparedQuery } from '../db/prepared.ts';
import type { Queryable } from '../records/repository.ts';

type Side = 'missing' | 'found';

/** Record ids (UUIDs) by position, 16 bytes each: a tenth of the memory of strings. */
class UuidList {
  #bytes = new Uint8Array(16 * 4096);
  #length = 0;

  push(uuid: string): number {
    if ((this.#length + 1) * 16 > this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes.set(Buffer.from(uuid.replaceAll('-', ''), 'hex'), this.#length * 16);
    return this.#length++;
  }

  get bytes(): number {
    return this.#bytes.byteLength;
  }

  at(position: number): string {
    const hex = Buffer.from(this.#bytes.subarray(position * 16, position * 16 + 16)).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

class SideIndex {
  readonly index = new PdqHashIndex(4096);
  readonly recordIds = new UuidList();
  /** Photos held whose transaction is at or after the horizon (they are read again): held once. */
  readonly recent = new Map<string, bigint>();
  /** Transactions at or after this id may still bring photos (the oldest running at the last look). */
  horizon = 0n;
  #catchingUp: Promise<void> = Promise.resolve();

  /** Reads the photos saved since the horizon; one reader at a time per side. */
  catchUp(db: Queryable, side: Side): Promise<void> {
    this.#catchingUp = this.#catchingUp.then(() => this.#read(db, side));
    return this.#catchingUp;
  }

  async #read(db: Queryable, side: Side) {
    const { rows } = await db.query<{ id: string | null; record_id: string | null; pdq: string | null; saved_in: string | null; horizon: string }>(preparedQuery(
      // One statement, one snapshot: the rows and the horizon agree. The horizon row comes even when no photo does.
      `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon)
       SELECT p.id, p.record_id, p.pdq, p.saved_in::text, h.horizon FROM horizon h
         LEFT JOIN photo p ON p.side = $1 AND p.pdq_quality >= ${PDQ_MIN_QUALITY} AND p.saved_in >= $2::bigint`,
      [side, this.horizon.toString()],
    ));
    for (const row of rows) {
      if (!row.id || !row.pdq || this.recent.has(row.id)) continue;
      this.recent.set(row.id, BigInt(row.saved_in!));
      this.index.add(this.recordIds.push(row.record_id!), row.pdq);
    }
    this.horizon = BigInt(rows[0]!.horizon);
    // A photo saved before the new horizon will not be read again: no need to remember it.
    for (const [id, savedIn] of this.recent) if (savedIn < this.horizon) this.recent.delete(id);
  }

  near(photos: readonly PhotoHash[]): string[] {
    const records = new Set<string>();
    for (const photo of photos) {
      for (const variant of photo.variants) for (const { id } of this.index.query(variant, PDQ_MATCH_DISTANCE)) records.add(this.recordIds.at(id));
    }
    return [...records];
  }
}

export class PhotoNeighbourhood {
  readonly #sides: Record<Side, SideIndex> = { missing: new SideIndex(), found: new SideIndex() };

  /** Records of `side` with a photo within PDQ's match distance of a turn or mirror of one of `photos`. */
  async recordsNear(db: Queryable, side: Side, photos: readonly PhotoHash[]): Promise<string[]> {
    if (!photos.length) return [];
    const index = this.#sides[side];
    await index.catchUp(db, side);
    return index.near(photos);
  }

  /** Reads every usable photo hash of both sides now (a worker's start), not in its first match job. */
  async warm(db: Queryable): Promise<void> {
    for (const side of ['missing', 'found'] as const) await this.#sides[side].catchUp(db, side);
  }

  /** How many photo hashes are held for a side. */
  size(side: Side): number {
    return this.#sides[side].index.size;
  }

  /** Bytes of typed-array storage held for a side (the hashes, their chunk tables, the record ids). */
  bytes(side: Side): number {
    return this.#sides[side].index.bytes + this.#sides[side].recordIds.bytes;
  }
}

// One neighbourhood per database (pool): every match job of a worker process shares it.
export const photoNeighbourhoodOf = perPool(() => new PhotoNeighbourhood());
