-- Time-ordered ids (UUID version 7, RFC 9562) for the rows written at volume, as src/db/ids.ts makes
-- them in the service: a new row's index entries go where the newest are instead of on a random page
-- of each index (at national scale, each of a found child's 46 key rows on a page of its own of the
-- key index, read in and written whole to the write-ahead log after a checkpoint). A version 4 UUID
-- from gen_random_uuid() with its first 48 bits replaced by the Unix time in milliseconds, and its
-- version bits by 7's. Rows made before keep their ids.
CREATE FUNCTION time_ordered_uuid() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
ALTER TABLE missing_report ALTER COLUMN id SET DEFAULT time_ordered_uuid();
ALTER TABLE found_child ALTER COLUMN id SET DEFAULT time_ordered_uuid();
ALTER TABLE candidate_pair ALTER COLUMN id SET DEFAULT time_ordered_uuid();
ALTER TABLE duplicate_pair ALTER COLUMN id SET DEFAULT time_ordered_uuid();
ALTER TABLE photo ALTER COLUMN id SET DEFAULT time_ordered_uuid();
