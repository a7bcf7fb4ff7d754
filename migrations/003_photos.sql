-- Photos attached to records. The image itself lives in the photo store, content-addressed by the
-- sha256 of its normalised JPEG (metadata stripped); here are its facts and its perceptual hash.
CREATE TABLE photo (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  side text NOT NULL CHECK (side IN ('missing', 'found')),
  record_id uuid NOT NULL,
  sha256 text NOT NULL,
  thumbnail_sha256 text NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  bytes integer NOT NULL,
  source_format text NOT NULL,
  pdq text,
  pdq_quality integer,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (side, record_id, sha256)
);
CREATE INDEX photo_record ON photo (side, record_id);
