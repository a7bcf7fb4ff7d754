-- Each candidate pair's and possible duplicate's explanation as JSON text of [comparison, level,
-- weight] entries, not jsonb of {comparison, level, weight} objects (src/matching/store.ts,
-- storedExplanationOf): 384 bytes a pair against 1,091. A full re-match by a new model rewrites every
-- explanation, at national scale 2.6 million candidate pairs' on pages read at random, and storing
-- the pairs was the longest part of its children's phase, reading from disk once the table outgrew
-- the page cache (bench/FIGURES.md). Read only for an officer's view of a pair, a decision, and a
-- rejected pair's match again; the service turns it back into the objects it shows. A decision's
-- copy (decided_explanation) takes the same form; a decision's record (candidate_decision) keeps
-- the objects.
CREATE FUNCTION milap_compact_explanation(entries jsonb) RETURNS json LANGUAGE sql IMMUTABLE STRICT AS $$
  -- The text JSON.stringify writes for the entries as arrays, byte for byte (no spaces), so that the
  -- pair's digest below is the one a match computes (store.ts, explanationDigestOf).
  SELECT COALESCE('[' || string_agg(format('[%s,%s,%s]', e -> 'comparison', e -> 'level', e -> 'weight'), ',' ORDER BY n) || ']', '[]')::json
    FROM jsonb_array_elements(entries) WITH ORDINALITY AS t(e, n)
$$;
ALTER TABLE candidate_explanation
  ALTER COLUMN explanation TYPE json USING milap_compact_explanation(explanation),
  ALTER COLUMN decided_explanation TYPE json USING milap_compact_explanation(decided_explanation);
ALTER TABLE duplicate_pair ALTER COLUMN explanation TYPE json USING milap_compact_explanation(explanation);
DROP FUNCTION milap_compact_explanation(jsonb);
-- The digest (migrations/023) is of the stored text: a pair a match scores as it is stored is still
-- left alone after this migration.
UPDATE candidate_pair c SET explanation_digest = md5(e.explanation::text)::uuid
  FROM candidate_explanation e WHERE e.pair_id = c.id AND c.explanation_digest IS NOT NULL;
