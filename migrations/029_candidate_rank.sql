-- Each pair's competing probability, and the state the queue is read by, in a narrow table of their
-- own. A record filed moves the competing probability of a dozen-odd pairs of its partners
-- (src/matching/store.ts, refreshProbabilities); written into candidate_pair, each such move wrote a
-- new version of its 170-byte row and an entry in each of its four indexes (the key, the records
-- pair, the child, and the queue's, which held the probability), and the refresh was the largest of
-- the database's statements while records were filed (bench/FIGURES.md). Here a move writes a
-- 60-byte row and two entries (the key and the queue's), and the pair's own row is left alone.
--
-- `state` is candidate_pair's, copied for the queue's index and kept equal by the triggers below;
-- every statement reads and writes it on candidate_pair. A pair's row here is made with it, its
-- competing probability starting as its own (pair_probability) until the refresh weighs it, and
-- goes with it.
CREATE TABLE candidate_rank (
  pair_id uuid NOT NULL,
  state text NOT NULL,
  probability double precision NOT NULL
);
INSERT INTO candidate_rank (pair_id, state, probability)
  SELECT id, state, probability FROM candidate_pair ORDER BY id;
-- The key and the reference made after the rows, each checked once for all of them, not row by row.
ALTER TABLE candidate_rank ADD PRIMARY KEY (pair_id),
  ADD FOREIGN KEY (pair_id) REFERENCES candidate_pair (id) ON DELETE CASCADE;
-- In the queue's order (src/matching/candidates.ts, listCandidates): most probable first, ties by id.
CREATE INDEX candidate_rank_queue ON candidate_rank (state, probability DESC, pair_id DESC);

DROP INDEX candidate_pair_queue;
ALTER TABLE candidate_pair DROP COLUMN probability;

-- Once a statement: a job's upsert inserts several pairs at once.
CREATE FUNCTION candidate_rank_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO candidate_rank (pair_id, state, probability)
    SELECT id, state, pair_probability FROM inserted_pairs;
  RETURN NULL;
END $$;
CREATE TRIGGER candidate_rank_insert AFTER INSERT ON candidate_pair
  REFERENCING NEW TABLE AS inserted_pairs FOR EACH STATEMENT EXECUTE FUNCTION candidate_rank_insert();

-- Only where the state changed: the WHEN is weighed without calling the function, so a match job's
-- upsert of pairs whose state stays calls nothing.
CREATE FUNCTION candidate_rank_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE candidate_rank SET state = NEW.state WHERE pair_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER candidate_rank_state AFTER UPDATE OF state ON candidate_pair
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION candidate_rank_state();
