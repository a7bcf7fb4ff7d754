// What a process keeps for one database (caches, indexes): one per pool, made on first use and gone
// with the pool, so two databases in one process (tests, benches) never share it.
import type pg from 'pg';

export function perPool<T>(make: () => T): (pool: pg.Pool) => T {
  const made = new WeakMap<pg.Pool, T>();
  return (pool) => {
    let value = made.get(pool);
    if (value === undefined) made.set(pool, (value = make()));
    return value;
  };
}
