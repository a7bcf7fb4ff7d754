-- What pairs compete by, in a narrow table of its own: each pair's records, state, match weight and
-- competing probability. A record filed moves the competing probability of a dozen-odd pairs of its
-- partners (src/matching/store.ts, refreshProbabilities); written into candidate_pair, each such move
-- wrote a new version of its row (320 bytes at national scale) and an entry in each of its four
-- indexes (the key, the records pair, the child, and the queue's, which held the probability), and
-- the refresh was the largest of the database's statements while records were filed
-- (bench/FIGURES.md). Here a move writes a row of under 100 bytes and three entries (the records
-- pair, the child and the queue's), and the refresh reads and locks nothing else: the pairs' own
-- rows, which match jobs lock and write, are left alone.
--
-- `missing_id`, `found_id`, `state` and `match_weight` are candidate_pair's, copied and kept equal by
-- the triggers below, whatever statement writes the pair; every statement writes them on
-- candidate_pair. A pair's row here is made with it, its competing probability starting as its own
-- (pair_probability) until the refresh weighs it, and goes with it. `pair_id` is the pair's id, for
-- the queue's order; the row is found by its records.
CREATE TABLE candidate_rank (
  pair_id uuid NOT NULL,
  missing_id uuid NOT NULL,
  found_id uuid NOT NULL,
  state text NOT NULL,
  match_weight double precision NOT NULL,
  probability double precision NOT NULL
);
INSERT INTO candidate_rank (pair_id, missing_id, found_id, state, match_weight, probability)
  SELECT id, missing_id, found_id, state, match_weight, probability FROM candidate_pair ORDER BY id;
-- The key made after the rows, checked once for all of them. No reference to the pair: its check on
-- every insert and its cascade on every delete run row by row, and a re-match inserts and deletes
-- millions; the triggers below make and remove the rows by statement, as a set.
ALTER TABLE candidate_rank ADD CONSTRAINT candidate_rank_pair UNIQUE (missing_id, found_id);
CREATE INDEX candidate_rank_found ON candidate_rank (found_id);
-- In the queue's order (src/matching/candidates.ts, listCandidates): most probable first, ties by id.
CREATE INDEX candidate_rank_queue ON candidate_rank (state, probability DESC, pair_id DESC);
-- Counted now: planned without figures, a refresh read the whole table for a record's dozen pairs
-- (1 s a match job at national scale, until the statistics keeper's first look).
ANALYZE candidate_rank;

DROP INDEX candidate_pair_queue;
ALTER TABLE candidate_pair DROP COLUMN probability;

-- Once a statement, with the rows it wrote: a match job inserts and updates several pairs at once.
CREATE FUNCTION candidate_rank_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO candidate_rank (pair_id, missing_id, found_id, state, match_weight, probability)
    SELECT id, missing_id, found_id, state, match_weight, pair_probability FROM inserted_pairs;
  RETURN NULL;
END $$;
CREATE TRIGGER candidate_rank_insert AFTER INSERT ON candidate_pair
  REFERENCING NEW TABLE AS inserted_pairs FOR EACH STATEMENT EXECUTE FUNCTION candidate_rank_insert();

-- Only the rows whose state or weight changed are written, locked first in the order of the pairs'
-- ids, as the refresh locks them: a match job that rescored pairs and a refresh that weighs some of
-- them wait for each other instead of deadlocking.
CREATE FUNCTION candidate_rank_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM candidate_rank r JOIN updated_pairs u ON r.missing_id = u.missing_id AND r.found_id = u.found_id
    WHERE (r.state, r.match_weight) IS DISTINCT FROM (u.state, u.match_weight)
    ORDER BY r.pair_id FOR UPDATE OF r;
  UPDATE candidate_rank r SET state = u.state, match_weight = u.match_weight
    FROM updated_pairs u
   WHERE r.missing_id = u.missing_id AND r.found_id = u.found_id
     AND (r.state, r.match_weight) IS DISTINCT FROM (u.state, u.match_weight);
  RETURN NULL;
END $$;
CREATE TRIGGER candidate_rank_update AFTER UPDATE ON candidate_pair
  REFERENCING NEW TABLE AS updated_pairs FOR EACH STATEMENT EXECUTE FUNCTION candidate_rank_update();

-- Gone with their pairs, by statement: locked first in the order of the pairs' ids, as the refresh
-- and the update above lock them.
CREATE FUNCTION candidate_rank_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM candidate_rank r JOIN deleted_pairs d ON r.missing_id = d.missing_id AND r.found_id = d.found_id
    ORDER BY r.pair_id FOR UPDATE OF r;
  DELETE FROM candidate_rank r USING deleted_pairs d WHERE r.missing_id = d.missing_id AND r.found_id = d.found_id;
  RETURN NULL;
END $$;
CREATE TRIGGER candidate_rank_delete AFTER DELETE ON candidate_pair
  REFERENCING OLD TABLE AS deleted_pairs FOR EACH STATEMENT EXECUTE FUNCTION candidate_rank_delete();

CREATE FUNCTION candidate_rank_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE candidate_rank;
  RETURN NULL;
END $$;
CREATE TRIGGER candidate_rank_truncate AFTER TRUNCATE ON candidate_pair
  FOR EACH STATEMENT EXECUTE FUNCTION candidate_rank_truncate();
