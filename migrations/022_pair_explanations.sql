-- Each pair's explanation (1.1 KB of a 1.4 KB row) in a table of its own. Weighing competing
-- probabilities again (store.ts, refreshProbabilities) fetches every pair of each partner of a record
-- whose candidates moved, from random pages of the pair table: at national scale that table no
-- longer fit the page cache beside a worker, and a refresh waited on reads from disk most of its
-- time (bench/FIGURES.md). Without the explanations the pair table is about a fifth of its size; the
-- explanations are read only for an officer's view of one pair, a decision, and a rejected pair's
-- match again (whether it reopens).
CREATE TABLE candidate_explanation (
  pair_id uuid PRIMARY KEY REFERENCES candidate_pair (id) ON DELETE CASCADE,
  explanation jsonb NOT NULL,
  -- The explanation when a person last decided; a rejected pair reopens only when a comparison
  -- has since moved to a higher level.
  decided_explanation jsonb
);
INSERT INTO candidate_explanation (pair_id, explanation, decided_explanation)
  SELECT id, explanation, decided_explanation FROM candidate_pair ORDER BY id;
ALTER TABLE candidate_pair DROP COLUMN explanation, DROP COLUMN decided_explanation;
-- Rewritten, so the dropped columns' bytes leave its pages.
CLUSTER candidate_pair USING candidate_pair_pkey;
