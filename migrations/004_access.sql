-- Users, their sessions and API tokens, decisions on candidate pairs, restorations, and the audit
-- trail that nobody, not even the service, can rewrite.

CREATE TABLE app_user (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('police', 'shelter', 'matching_officer', 'repatriation', 'admin')),
  -- The jurisdiction: all of India, a state, a district, or one institution (a shelter home).
  scope text NOT NULL CHECK (scope IN ('national', 'state', 'district', 'institution')),
  state_code text,
  district_id text,
  institution text,
  password_hash text NOT NULL,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((scope = 'national') OR (scope = 'state' AND state_code IS NOT NULL)
      OR (scope = 'district' AND district_id IS NOT NULL) OR (scope = 'institution' AND institution IS NOT NULL))
);

CREATE TABLE user_session (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user (id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX user_session_user ON user_session (user_id);

-- Tokens for systems: stored hashed, acting as their user, expiring, revocable.
CREATE TABLE api_token (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash text NOT NULL UNIQUE,
  user_id uuid NOT NULL REFERENCES app_user (id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- The one-time token that creates the first admin, printed once on first start.
CREATE TABLE setup_token (
  token_hash text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  used_at timestamptz
);

CREATE TABLE candidate_decision (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  candidate_id uuid NOT NULL REFERENCES candidate_pair (id),
  decision text NOT NULL CHECK (decision IN ('confirm', 'reject', 'hold', 'undo_confirm')),
  reason text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  explanation jsonb NOT NULL,
  decided_by uuid NOT NULL REFERENCES app_user (id),
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX candidate_decision_candidate ON candidate_decision (candidate_id, decided_at);

CREATE TABLE restoration (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  candidate_id uuid NOT NULL REFERENCES candidate_pair (id),
  missing_id uuid NOT NULL REFERENCES missing_report (id),
  found_id uuid NOT NULL REFERENCES found_child (id),
  stage text NOT NULL CHECK (stage IN ('confirmed', 'cwc_order', 'home_verification', 'escort', 'handed_over', 'follow_up', 'closed', 'cancelled')),
  next_due date,
  opened_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX restoration_stage ON restoration (stage, next_due);
-- At most one open restoration per pair.
CREATE UNIQUE INDEX restoration_open_pair ON restoration (candidate_id) WHERE stage NOT IN ('closed', 'cancelled');

CREATE TABLE restoration_step (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  restoration_id uuid NOT NULL REFERENCES restoration (id),
  from_stage text,
  to_stage text NOT NULL,
  note text,
  due_date date,
  documents jsonb NOT NULL DEFAULT '[]',
  actor uuid NOT NULL REFERENCES app_user (id),
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX restoration_step_restoration ON restoration_step (restoration_id, at);

-- Who read or wrote what, when. No personal values: ids and action names only.
CREATE TABLE audit_entry (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id uuid,
  actor_name text NOT NULL,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text,
  request_id text,
  outcome text NOT NULL DEFAULT 'ok'
);
CREATE INDEX audit_entry_at ON audit_entry (at DESC, id DESC);
CREATE INDEX audit_entry_entity ON audit_entry (entity, entity_id);
CREATE INDEX audit_entry_actor ON audit_entry (actor_id, at DESC);

CREATE FUNCTION audit_entry_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_is_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_is_append_only();
