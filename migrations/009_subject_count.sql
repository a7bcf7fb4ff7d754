-- How many records the matcher holds, for term frequencies (a name's share of all records), kept
-- by a statement trigger instead of counting every row in each match job (a scan that grows with
-- the country). Sixteen rows so that concurrent match jobs rarely wait on the same one; the total
-- is their sum. COPY and bulk inserts are counted too.
CREATE TABLE match_subject_total (
  shard integer PRIMARY KEY,
  n bigint NOT NULL
);
INSERT INTO match_subject_total (shard, n) SELECT g, 0 FROM generate_series(0, 15) AS g;
UPDATE match_subject_total SET n = (SELECT count(*) FROM match_subject) WHERE shard = 0;

CREATE FUNCTION match_subject_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  change bigint;
  -- Chosen once: random() in the WHERE clause would be drawn again for every row.
  shard_of_this integer := floor(random() * 16)::integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO change FROM added;
  ELSE
    SELECT -count(*) INTO change FROM removed;
  END IF;
  IF change <> 0 THEN
    UPDATE match_subject_total SET n = n + change WHERE shard = shard_of_this;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER match_subject_added AFTER INSERT ON match_subject
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION match_subject_count();
CREATE TRIGGER match_subject_removed AFTER DELETE ON match_subject
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION match_subject_count();
