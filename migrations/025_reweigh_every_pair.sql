-- A re-match of most records weighs every pair's competing probability once, when its jobs are done,
-- instead of its jobs marking each record whose pairs moved (migrations/021 and 024): such a re-match
-- moves nearly every pair, and its jobs marked each record once for every job that moved its pairs (a
-- child is the partner of dozens of reports), 2.7 million marks in the first third of a national
-- re-match, 188 s of the database's time, all read back, grouped and deleted by the sweep.
-- A row here says every pair is due: `milap rematch` writes one with each chunk of jobs it queues, in
-- the chunk's transaction (rematch.ts, queueRun), and the chunk's jobs mark nothing. A sweep reads the
-- rows before it looks whether any re-match job waits or runs, weighs every pair when none does, and
-- deletes the rows it read: a row queued since, with jobs still to run, stays for the next sweep.
CREATE TABLE pair_reweigh_every (
  mark bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id integer REFERENCES rematch_run (id),
  marked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
