-- The match job's queries lean on the planner knowing how many keys each side holds. A bulk load (a
-- rescue drive of thousands of children, an import) changes that within minutes, far faster than
-- the default 10% threshold re-analyzes a table of millions of keys; a plan made on stale figures
-- (one side thought empty) took a minute per job instead of milliseconds. Re-analyze sooner.
ALTER TABLE match_key SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 1000);
ALTER TABLE match_subject SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500);
ALTER TABLE duplicate_pair SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE candidate_pair SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
