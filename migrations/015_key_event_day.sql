-- The day each key's record went missing or was found (the record's event_date), kept on its key
-- rows: ranked admission weighs how long after going missing a child was found, and how close the
-- ages are, for every report her keys over their limit reach (matchers/blocking.ts, rankDateWeight),
-- read with the key rows themselves rather than a look at each report.
ALTER TABLE match_key ADD COLUMN event_day date;
UPDATE match_key k SET event_day = r.event_date FROM missing_report r WHERE k.side = 'missing' AND k.record_id = r.id;
UPDATE match_key k SET event_day = r.event_date FROM found_child r WHERE k.side = 'found' AND k.record_id = r.id;
-- The key index carries it too, as it carries the birth interval (012), so the ranking reads the
-- index alone. At national scale this rebuilds the index: minutes, once.
ALTER TABLE match_key DROP CONSTRAINT match_key_pkey,
  ADD CONSTRAINT match_key_pkey PRIMARY KEY (side, key, record_id) INCLUDE (born_from, born_to, active, event_day);
