-- Keys closed for good: keys that more than keyReach times their limit of missing reports carried when
-- a worker counted them (matchers/blocking.ts, keyTooCommon). Such a key admits no pair and no duplicate,
-- and the reports carrying it only grow, so no record's row for it is written from then on (but for the
-- name keys, n:, f: and m:, whose counts give term frequencies): at national scale 64% of the key rows
-- were for such keys. Closed for good because the rows written before it closed are all that count it
-- now: an edit taking a few away must not open it again with the rows of the records since left out.
CREATE TABLE match_closed_key (
  key text PRIMARY KEY,
  closed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
