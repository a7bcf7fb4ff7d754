-- Photo evidence in matching. Each photo keeps its PDQ hash's eight dihedral variants, so a turned
-- or mirrored copy is recognised, and the transaction that saved it: each match worker keeps the
-- usable hashes of every photo in memory (a multi-index over 16-bit chunks, matchers/photos/
-- hash-index.ts) and reads only the photos saved since its last look, from the oldest transaction
-- then still running, so a photo that commits late is never skipped (src/matching/photo-index.ts).
ALTER TABLE photo ADD COLUMN pdq_variants text[];
ALTER TABLE photo ADD COLUMN saved_in bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX photo_usable_since ON photo (side, saved_in) WHERE pdq_quality >= 50;
