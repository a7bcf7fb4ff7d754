-- A mark that a record's pairs are due to be weighed again (migrations/021) becomes a row of its own,
-- one for each transaction that marks the record, instead of a count on one row a record. Counted on
-- one row, every job that moved a record's pairs took that row's lock to the end of its transaction:
-- the children of a re-match's reports are the partners of dozens of reports each, and at 100,000 x
-- 30,000 with 16 workers the marking statement waited 715 s in a re-match of 3.7 minutes, a fifth of
-- the workers' time, each job queued behind the uncommitted jobs before it (README, background matching
-- at scale, 2026-12-04).
-- A new row waits for nobody. A sweep reads a record's marks, weighs it, and deletes the marks it read:
-- a mark made by a job that had not committed when it read stays for the next sweep, as the count did.
ALTER TABLE pair_reweigh_due DROP CONSTRAINT pair_reweigh_due_pkey;
ALTER TABLE pair_reweigh_due DROP COLUMN marks;
ALTER TABLE pair_reweigh_due ADD COLUMN mark bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
CREATE INDEX pair_reweigh_due_record ON pair_reweigh_due (side, record_id);
