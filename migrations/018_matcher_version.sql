-- The version of the matchers' own rules each record was matched under (matchers/version.ts): a plain
-- `milap rematch` matches again those matched under another, and a worker counts them in a warning at
-- start. Records matched before this column were matched under the rules before version 1.
ALTER TABLE match_subject ADD COLUMN matcher_version integer NOT NULL DEFAULT 0;
