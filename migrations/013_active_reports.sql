-- How many missing reports are still looked for (the missing side's active match subjects): the
-- number of reports a found child is matched among, which a missing-found pair's prior divides by
-- (matchers/model.ts, priorWeight). Kept as match_subject_total is (migrations/009), by statement
-- triggers in sixteen shards; a record's activity changes by an update of its subject row, so
-- updates are counted too. An update that changes no activity (a re-match) writes nothing here.
CREATE TABLE match_active_report_total (
  shard integer PRIMARY KEY,
  n bigint NOT NULL
);
INSERT INTO match_active_report_total (shard, n) SELECT g, 0 FROM generate_series(0, 15) AS g;
UPDATE match_active_report_total SET n = (SELECT count(*) FROM match_subject WHERE side = 'missing' AND active) WHERE shard = 0;

CREATE FUNCTION match_active_report_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  change bigint;
  -- Chosen once: random() in the WHERE clause would be drawn again for every row.
  shard_of_this integer := floor(random() * 16)::integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO change FROM added WHERE side = 'missing' AND active;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT -count(*) INTO change FROM removed WHERE side = 'missing' AND active;
  ELSE
    SELECT (SELECT count(*) FROM added WHERE side = 'missing' AND active) - (SELECT count(*) FROM removed WHERE side = 'missing' AND active) INTO change;
  END IF;
  IF change <> 0 THEN
    UPDATE match_active_report_total SET n = n + change WHERE shard = shard_of_this;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER match_active_report_added AFTER INSERT ON match_subject
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION match_active_report_count();
CREATE TRIGGER match_active_report_removed AFTER DELETE ON match_subject
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION match_active_report_count();
CREATE TRIGGER match_active_report_changed AFTER UPDATE ON match_subject
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION match_active_report_count();
