// Ids of the rows written at volume (records, candidate and duplicate pairs, photos): time-ordered
// UUIDs, version 7 of RFC 9562 (48 bits of Unix milliseconds, then random bits). The tables' indexes
// sort by these ids, alone or after a key: the key table's rows for one key by record id, the
// subject and version rows by record id. A random id puts each new row's entry on a random page of
// each such index, read in and written whole to the write-ahead log after every checkpoint (a found
// child's 46 key rows, on average, each on a page of its own of the national key index). A new
// time-ordered id sorts after the ids before it, so its entries go where the newest are: for a key
// many records carry, a page already in memory. Most keys are rare, on a page of their own either
// way: at national scale the key insert took 9-17% less (README, Operations). The id shows when its
// row was made, to the millisecond: a record's answer shows that already (createdAt), and ids go
// only to those who may read their rows. The database makes them the same way (migrations/019,
// time_ordered_uuid).
import { randomFillSync } from 'node:crypto';

const bytes = Buffer.alloc(16);

/** A new version 7 UUID for the time `now` (Unix milliseconds). */
export function timeOrderedId(now = Date.now()): string {
  randomFillSync(bytes, 6, 10);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // the RFC's variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
