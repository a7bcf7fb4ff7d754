-- A digest of the keys and narrowing facts the record's key rows hold (store.ts, keysDigestOf): a
-- re-match of a record whose keys did not change writes no key row, nor checks each one.
ALTER TABLE match_subject ADD COLUMN keys_digest uuid;
