-- Whether a re-match run weighs every pair once its jobs are done (migrations/025), decided when it
-- first queues and kept for its resumption: such a run's reports leave their pairs to the children's
-- jobs, each pair weighed once from its child's side (src/matching/match-job.ts), so every child is
-- re-matched in it, and a run resumed after a crash must go on as it began. Null: not decided yet.
ALTER TABLE rematch_run ADD COLUMN weighs_every boolean;
