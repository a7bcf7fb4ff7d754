-- Each found child's rank floor (matchers/blocking.ts, rankedBest), saved by the child's own partner
-- search: of the reports her keys over their limit reach, the rank score of the one just past her
-- best, or 0 when they reached no more than her best. A missing report matched later is admitted as
-- her partner when it scores above it. A child with no row yet (matched before this migration, until
-- she is matched again) is not ranked from a report's search.
CREATE TABLE match_rank_floor (
  record_id uuid PRIMARY KEY,
  floor bigint NOT NULL
);
