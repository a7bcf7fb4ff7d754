-- The officers' queue for a district or an institution is read from that place's records, not by
-- walking the queue's index of every pair until a page of the place's is found
-- (src/matching/candidates.ts, listCandidates): at national scale a district's first page took 300 ms
-- that way, a district officer's 387 ms (bench/FIGURES.md, 2026-12-07 from 16:55). A record's
-- district, and its home district as the queue's district filter reads it, are indexed on both sides;
-- a filing unit already is, by (filing_unit, ref).
CREATE INDEX missing_report_district ON missing_report (district_id);
CREATE INDEX missing_report_home_district ON missing_report ((places->'home'->>'districtId'));
CREATE INDEX found_child_district ON found_child (district_id);
CREATE INDEX found_child_stated_home_district ON found_child ((places->'statedHome'->>'districtId'));
