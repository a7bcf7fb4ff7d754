-- Missing-child reports and found-child records, their full version history, and idempotent POSTs.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- The record as filed (CONTRACT.md's JSON) lives in `record`; the columns beside it are what lists
-- filter and sort on. `filing_unit` + `ref` is the filer's own key: a re-import updates, never duplicates.
CREATE TABLE missing_report (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  filing_unit text NOT NULL,
  ref text NOT NULL,
  status text NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'matched', 'traced', 'closed', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  record jsonb NOT NULL,
  places jsonb NOT NULL DEFAULT '{}',
  state_code text,
  district_id text,
  event_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_by text NOT NULL,
  UNIQUE (filing_unit, ref)
);
CREATE INDEX missing_report_recent ON missing_report (created_at DESC, id DESC);
CREATE INDEX missing_report_place ON missing_report (state_code, district_id, created_at DESC, id DESC);
CREATE INDEX missing_report_status ON missing_report (status, created_at DESC, id DESC);
CREATE INDEX missing_report_event ON missing_report (event_date);

CREATE TABLE found_child (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  filing_unit text NOT NULL,
  ref text NOT NULL,
  status text NOT NULL DEFAULT 'in_care'
    CHECK (status IN ('in_care', 'matched', 'restored', 'left_care', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  record jsonb NOT NULL,
  places jsonb NOT NULL DEFAULT '{}',
  state_code text,
  district_id text,
  event_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_by text NOT NULL,
  UNIQUE (filing_unit, ref)
);
CREATE INDEX found_child_recent ON found_child (created_at DESC, id DESC);
CREATE INDEX found_child_place ON found_child (state_code, district_id, created_at DESC, id DESC);
CREATE INDEX found_child_status ON found_child (status, created_at DESC, id DESC);
CREATE INDEX found_child_event ON found_child (event_date);

-- Every version of every record, the first included: nothing a user filed is ever destroyed.
CREATE TABLE record_version (
  side text NOT NULL CHECK (side IN ('missing', 'found')),
  record_id uuid NOT NULL,
  version integer NOT NULL,
  change text NOT NULL CHECK (change IN ('created', 'updated', 'status')),
  changed_fields text[] NOT NULL DEFAULT '{}',
  status text NOT NULL,
  reason text,
  record jsonb NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (side, record_id, version)
);

-- A POST's first answer, kept so that a retry with the same Idempotency-Key gets it again.
CREATE TABLE idempotent_request (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
