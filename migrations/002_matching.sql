-- What the match worker derives from each record (its blocking keys and the narrowing facts), and
-- the candidate pairs it keeps: one row per (missing report, found child), with its decision state.

CREATE TABLE match_subject (
  side text NOT NULL CHECK (side IN ('missing', 'found')),
  record_id uuid NOT NULL,
  version integer NOT NULL,
  sex text NOT NULL,
  born_from date,
  born_to date,
  active boolean NOT NULL,
  model_version text NOT NULL,
  matched_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (side, record_id)
);

CREATE TABLE match_key (
  side text NOT NULL,
  key text NOT NULL,
  record_id uuid NOT NULL,
  PRIMARY KEY (side, key, record_id)
);
CREATE INDEX match_key_record ON match_key (side, record_id);

CREATE TABLE candidate_pair (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  missing_id uuid NOT NULL REFERENCES missing_report (id),
  found_id uuid NOT NULL REFERENCES found_child (id),
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'confirmed', 'rejected', 'on_hold', 'superseded')),
  probability double precision NOT NULL,
  match_weight double precision NOT NULL,
  explanation jsonb NOT NULL,
  model_version text NOT NULL,
  missing_version integer NOT NULL,
  found_version integer NOT NULL,
  -- The explanation when a person last decided; a rejected pair reopens only when a comparison
  -- has since moved to a higher level, and `reopened_because` says which.
  decided_explanation jsonb,
  reopened_because text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (missing_id, found_id)
);
CREATE INDEX candidate_pair_found ON candidate_pair (found_id);
CREATE INDEX candidate_pair_queue ON candidate_pair (state, probability DESC, id);

-- A requested re-match: records are queued in id order, side by side, and the position is saved
-- with each chunk of jobs in one transaction, so a re-run after a crash resumes where it stopped.
CREATE TABLE rematch_run (
  id serial PRIMARY KEY,
  model_version text NOT NULL,
  all_records boolean NOT NULL,
  position_side text NOT NULL DEFAULT 'missing',
  position_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
  queued integer NOT NULL DEFAULT 0,
  requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz
);
