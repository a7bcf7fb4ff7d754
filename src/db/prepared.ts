// Statements the match worker sends on every job, parsed once per pooled connection and planned once
// when a plan for any values will do, instead of both every time. Planning took about a tenth of
// the database's time while found children were filed, more than some of these took to run.
//
// PostgreSQL plans a prepared statement for its values five times, then keeps one plan made without
// them when that plan is estimated to cost no more. At national scale the refresh of competing
// probabilities, its lock, the pairs' upsert, the subjects' and floors' saves and the pair look-ups
// keep one plan; the reads whose plan depends on a value (the catch-up's snapshot, a side's photos
// since a horizon) are planned every time still. Each read as many buffers a call as before, at
// 100,000 and at national scale, and a sweep's refresh of 2,000 children by the one plan no more
// than by its own (bench/FIGURES.md, 2026-12-07 from 12:00).
//
// Only statements whose text is fixed (their values all parameters): a connection keeps each text it
// ran for its life. On PGlite the pool's one connection is one session whatever client holds it, so
// the names are dropped there (database.ts, UnnamedClient).
import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();

/** The name a statement is prepared under, made from its text: one text, one name, on every connection. */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `milap_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`));
  return name;
}

/** `text` with its `values`, as a statement prepared once per connection under its name (statementName). */
export function preparedQuery(text: string, values: unknown[]): pg.QueryConfig {
  return { name: statementName(text), text, values };
}
