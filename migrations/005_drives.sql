-- Rescue drives (Operation Smile, Operation Muskaan): found children registered in bulk into a drive.
CREATE TABLE rescue_drive (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL CHECK (ends_on >= starts_on),
  districts text[] NOT NULL DEFAULT '{}',
  state_code text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

ALTER TABLE found_child ADD COLUMN drive_id uuid REFERENCES rescue_drive (id);
CREATE INDEX found_child_drive ON found_child (drive_id) WHERE drive_id IS NOT NULL;
