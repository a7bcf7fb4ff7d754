-- Whether a re-match run weighs every pair once its jobs are done (migrations/025), decided when it is
-- opened and kept once it has queued, for its resumption: such a run's jobs weigh each pair once, from
-- one of its two records (src/matching/match-job.ts), so every record is re-matched in it, and a run
-- resumed after a crash must go on as it began. Null: not decided yet.
ALTER TABLE rematch_run ADD COLUMN weighs_every boolean;
