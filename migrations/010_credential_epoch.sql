-- A counter that moves whenever an API token or an account changes in a way that could refuse a
-- token (revoked, deleted, user disabled or given another role or jurisdiction). Each service
-- process remembers the users behind the tokens it has seen, looks at this counter at most once a
-- second, and forgets them all when it has moved: a token revoked by another process (`milap
-- users disable`, a second server) is refused everywhere within a second.
CREATE TABLE credential_epoch (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  epoch bigint NOT NULL
);
INSERT INTO credential_epoch (only_row, epoch) VALUES (true, 0);

CREATE FUNCTION credential_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE credential_epoch SET epoch = epoch + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER api_token_changed AFTER UPDATE OR DELETE ON api_token
  FOR EACH STATEMENT EXECUTE FUNCTION credential_epoch_bump();
-- Not on every login: failed_logins and locked_until do not change what a token may do.
CREATE TRIGGER app_user_changed AFTER UPDATE OF username, display_name, role, scope, state_code, district_id, institution, disabled_at ON app_user
  FOR EACH STATEMENT EXECUTE FUNCTION credential_epoch_bump();
CREATE TRIGGER app_user_removed AFTER DELETE ON app_user
  FOR EACH STATEMENT EXECUTE FUNCTION credential_epoch_bump();
