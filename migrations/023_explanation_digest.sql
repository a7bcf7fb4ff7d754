-- A digest of each pair's explanation (store.ts, explanationDigestOf), beside its scores: a match
-- that scores a pair exactly as it is stored (the same model and record versions, weight, probability
-- and explanation) leaves its row alone instead of writing it again. A full re-match meets each pair
-- twice, from its report and then from its child, and the second time by the same model: every pair
-- row was written twice, each write a new row version and an entry in each of the table's four indexes,
-- on pages read and written at random (bench/FIGURES.md). Null until a match writes the pair: then it
-- is written once more.
ALTER TABLE candidate_pair ADD COLUMN explanation_digest uuid;
