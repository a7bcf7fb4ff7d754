-- Records whose candidates a re-match moved, their pairs' competing probabilities not yet weighed
-- again (store.ts, refreshProbabilities). A re-match's jobs mark them here, in the transaction that
-- moves the pairs, instead of weighing after each pass: a pass of 32 reports moved about 80 children,
-- whose 700-odd pairs were weighed again, so a full re-match weighed each pair many times over, most
-- of its database's work. A worker weighs them once the run's jobs are done (workers.ts, reweighSweeper);
-- `marks` counts the marks, so a mark made while a sweep weighs the record is kept for the next one;
-- `marked_at` is the last one's time, so a sweep knows which reports' pairs the children it weighed
-- before them weighed already (store.ts, reweighDue).
CREATE TABLE pair_reweigh_due (
  side text NOT NULL CHECK (side IN ('missing', 'found')),
  record_id uuid NOT NULL,
  marks integer NOT NULL DEFAULT 1,
  marked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (side, record_id)
);
