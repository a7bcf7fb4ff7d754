-- A found child is the other half of at most one report and a report of at most one child, so the
-- candidates of one record compete (matchers/model.ts, competingProbability): a pair's probability
-- weighs its odds, 2^match_weight, against the odds of the other live candidates (pending, on hold,
-- confirmed) of both its records. `pair_probability` keeps the pair's own probability, which decides
-- whether it is kept at all (the floor and each record's top K); `probability` is what officers
-- sort and filter by, refreshed whenever a record's candidates change.
ALTER TABLE candidate_pair ADD COLUMN pair_probability double precision;
UPDATE candidate_pair SET pair_probability = probability;
ALTER TABLE candidate_pair ALTER COLUMN pair_probability SET NOT NULL;

-- Odds kept finite when summed: past 500 bits a pair is certain either way.
CREATE FUNCTION pair_odds(weight double precision) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT power(2::double precision, least(500::double precision, greatest(-500::double precision, weight))) $$;

CREATE FUNCTION pair_is_live(state text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT state IN ('pending', 'on_hold', 'confirmed') $$;

-- Every stored pair, once.
WITH odds AS (
  SELECT id, match_weight, state,
         sum(pair_odds(match_weight)) FILTER (WHERE pair_is_live(state)) OVER (PARTITION BY missing_id) AS report_odds,
         sum(pair_odds(match_weight)) FILTER (WHERE pair_is_live(state)) OVER (PARTITION BY found_id) AS child_odds
    FROM candidate_pair
)
UPDATE candidate_pair p
   SET probability = pair_odds(o.match_weight) / (1 + pair_odds(o.match_weight)
         + (coalesce(o.report_odds, 0) - CASE WHEN pair_is_live(o.state) THEN pair_odds(o.match_weight) ELSE 0 END)
         + (coalesce(o.child_odds, 0) - CASE WHEN pair_is_live(o.state) THEN pair_odds(o.match_weight) ELSE 0 END))
  FROM odds o WHERE p.id = o.id;
