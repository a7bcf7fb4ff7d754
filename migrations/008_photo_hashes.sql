-- Photo evidence in matching. Each photo keeps its PDQ hash's eight dihedral variants, so a turned
-- or mirrored copy is recognised. A hash of usable quality is also filed under its sixteen 16-bit
-- chunks (code = chunk << 16 | value): two hashes within PDQ's match distance (31 bits) share at
-- least one chunk exactly, so a lookup of a new photo's chunk codes, then its exact distance to
-- the hash kept beside each code, finds every near photo without touching the photo table.
ALTER TABLE photo ADD COLUMN pdq_variants text[];

CREATE TABLE photo_chunk (
  side text NOT NULL CHECK (side IN ('missing', 'found')),
  code integer NOT NULL,
  record_id uuid NOT NULL,
  photo_id uuid NOT NULL REFERENCES photo (id),
  hash bit(256) NOT NULL
);
CREATE INDEX photo_chunk_code ON photo_chunk (side, code);
