-- Duplicates within one side: the same child reported at two police stations, or moved between two
-- shelters. The match job proposes pairs; an officer merges one record into the other, or says they
-- are different children. A merge only marks the merged record (it keeps its history, pairs and
-- decisions) and leaves matching; undoing it is its own decision.
ALTER TABLE missing_report ADD COLUMN merged_into uuid REFERENCES missing_report (id);
ALTER TABLE found_child ADD COLUMN merged_into uuid REFERENCES found_child (id);

ALTER TABLE record_version DROP CONSTRAINT record_version_change_check;
ALTER TABLE record_version ADD CONSTRAINT record_version_change_check CHECK (change IN ('created', 'updated', 'status', 'merged', 'unmerged'));

CREATE TABLE duplicate_pair (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  side text NOT NULL CHECK (side IN ('missing', 'found')),
  -- The two records in id order, so a pair is stored once whichever record found it.
  record_a uuid NOT NULL,
  record_b uuid NOT NULL CHECK (record_a < record_b),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'merged', 'not_duplicate')),
  probability double precision NOT NULL,
  match_weight double precision NOT NULL,
  explanation jsonb NOT NULL,
  model_version text NOT NULL,
  -- After a merge: which record was kept and which was merged into it.
  kept_id uuid,
  merged_id uuid,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (side, record_a, record_b)
);
CREATE INDEX duplicate_pair_b ON duplicate_pair (side, record_b);
CREATE INDEX duplicate_pair_queue ON duplicate_pair (state, probability DESC, id);

CREATE TABLE duplicate_decision (
  id bigserial PRIMARY KEY,
  duplicate_id uuid NOT NULL REFERENCES duplicate_pair (id),
  decision text NOT NULL CHECK (decision IN ('merge', 'not_duplicate', 'unmerge')),
  reason text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  kept_id uuid,
  merged_id uuid,
  decided_by uuid NOT NULL REFERENCES app_user (id),
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX duplicate_decision_pair ON duplicate_decision (duplicate_id, decided_at);
