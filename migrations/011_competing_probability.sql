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

-- Recomputes the probability of every pair of the given records (those whose candidates changed),
-- against the current odds of both records of each pair. Rows are locked in id order, so two
-- refreshes that overlap wait for each other instead of deadlocking. Returns the pairs changed.
CREATE FUNCTION refresh_pair_probabilities(missing_ids uuid[], found_ids uuid[]) RETURNS bigint
  LANGUAGE sql
  AS $$
    WITH affected AS MATERIALIZED (
      SELECT id, missing_id, found_id, match_weight, state FROM candidate_pair
       WHERE missing_id = ANY(missing_ids) OR found_id = ANY(found_ids)
       ORDER BY id FOR UPDATE
    ),
    report_odds AS (
      SELECT missing_id, sum(pair_odds(match_weight)) AS odds FROM candidate_pair
       WHERE missing_id IN (SELECT missing_id FROM affected) AND pair_is_live(state) GROUP BY missing_id
    ),
    child_odds AS (
      SELECT found_id, sum(pair_odds(match_weight)) AS odds FROM candidate_pair
       WHERE found_id IN (SELECT found_id FROM affected) AND pair_is_live(state) GROUP BY found_id
    ),
    fresh AS (
      SELECT a.id, pair_odds(a.match_weight) / (1 + pair_odds(a.match_weight)
               + (coalesce(r.odds, 0) - CASE WHEN pair_is_live(a.state) THEN pair_odds(a.match_weight) ELSE 0 END)
               + (coalesce(c.odds, 0) - CASE WHEN pair_is_live(a.state) THEN pair_odds(a.match_weight) ELSE 0 END)) AS probability
        FROM affected a LEFT JOIN report_odds r USING (missing_id) LEFT JOIN child_odds c USING (found_id)
    ),
    changed AS (
      UPDATE candidate_pair p SET probability = f.probability FROM fresh f
       WHERE p.id = f.id AND p.probability IS DISTINCT FROM f.probability RETURNING 1
    )
    SELECT count(*) FROM changed
  $$;

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
