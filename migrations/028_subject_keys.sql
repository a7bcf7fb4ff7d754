-- A record's keys on its subject row, for worker processes that hold every record's keys in memory
-- and write no key rows (config.ts, MATCH_KEY_ROWS=off): at national scale the key table was half of
-- the database (5.5 GB of 10, 34 million rows), and inserting a new record's twenty-odd rows into it
-- and its two indexes a fifth of the database's work while records were filed (bench/FIGURES.md,
-- 2026-12-07). Other processes read a record's keys from here (src/matching/live-keys.ts).
--
-- `keys` not null: these are the record's keys, and any rows of its in match_key are stale; null: its
-- rows in match_key are its keys. A worker that writes key rows (and searches them) first writes the
-- rows of every record whose keys are held here, and clears them (src/matching/key-rows.ts, rebuildKeyRows).
ALTER TABLE match_subject ADD COLUMN keys text[], ADD COLUMN event_day date;
CREATE INDEX match_subject_keys_held ON match_subject (side, record_id) WHERE keys IS NOT NULL;
