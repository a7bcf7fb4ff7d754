-- Which transaction last matched each record. A match worker holds every record's keys in memory
-- (src/matching/live-keys.ts), derived from the records when it starts; before each search it reads
-- the records other processes matched since it last looked: those of every transaction not yet
-- finished when it last read, or begun after.
ALTER TABLE match_subject ADD COLUMN changed_xid xid8;
CREATE INDEX match_subject_changed ON match_subject (changed_xid) WHERE changed_xid IS NOT NULL;
