// Group commit for filings: under load, the records that arrive while earlier filings are still in
// the database are filed together, in one transaction and one round trip, instead of one
// transaction each. A lone filing goes at once, alone: batching never adds waiting when the
// service is quiet. Each filing still gets its own answer: when a batch cannot be written whole (a
// ref already taken), its filings are written one at a time, exactly as without batching.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { matchJobsStatement, matchJobStatement } from '../jobs/queue.ts';
import * as repository from './repository.ts';
import type { SideDefinition } from './sides.ts';

type Row = repository.NewRow & { id: string };

interface Filing {
  row: Row;
  audit: repository.FilingAudit;
  settle: (stored: repository.StoredRecord | null) => void;
  fail: (error: unknown) => void;
}

export interface FilingBatchOptions {
  /** Transactions of filings in the database at once; the rest wait and go together. */
  inFlight: number;
  /** Most filings in one transaction. */
  maxBatch: number;
}

export class FilingBatcher {
  readonly #waiting: Filing[] = [];
  #inFlight = 0;
  /** Filings written in a batch of more than one, and those batches (for metrics and tests). */
  readonly grouped = { filings: 0, batches: 0 };

  private readonly pool: pg.Pool;
  private readonly boss: PgBoss;
  private readonly side: SideDefinition;
  private readonly options: FilingBatchOptions;

  constructor(pool: pg.Pool, boss: PgBoss, side: SideDefinition, options: FilingBatchOptions) {
    this.pool = pool;
    this.boss = boss;
    this.side = side;
    this.options = options;
  }

  /** Files a new record with its version, audit entry and match job; null when its ref is taken. */
  file(row: Row, audit: repository.FilingAudit): Promise<repository.StoredRecord | null> {
    return new Promise((settle, fail) => {
      this.#waiting.push({ row, audit, settle, fail });
      this.#pump();
    });
  }

  #pump() {
    while (this.#inFlight < this.options.inFlight && this.#waiting.length) {
      const batch = this.#waiting.splice(0, this.options.maxBatch);
      this.#inFlight++;
      void this.#write(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #write(batch: Filing[]) {
    if (batch.length > 1) {
      let stored: repository.StoredRecord[] | null;
      try {
        const jobs = await matchJobsStatement(this.boss, batch.map(({ row }) => ({ side: this.side.side, id: row.id, version: 1 })));
        stored = await repository.insertRecordsInOneTrip(this.pool, this.side, batch, jobs);
      } catch (error) {
        // The database or the queue failed the whole transaction: every filing in it gets that
        // answer (a retry here could meet a batch that did commit before its connection broke).
        for (const filing of batch) filing.fail(error);
        return;
      }
      if (stored) {
        this.grouped.filings += batch.length;
        this.grouped.batches++;
        batch.forEach((filing, i) => filing.settle(stored[i]!));
        return;
      }
      // A ref in the batch was taken, and nothing was written: file them one at a time instead.
    }
    await Promise.all(batch.map(async (filing) => {
      try {
        const job = await matchJobStatement(this.boss, { side: this.side.side, id: filing.row.id, version: 1 });
        filing.settle((await repository.insertRecordsInOneTrip(this.pool, this.side, [filing], job))?.[0] ?? null);
      } catch (error) {
        filing.fail(error);
      }
    }));
  }
}

const batchers = new WeakMap<pg.Pool, WeakMap<PgBoss, Map<string, FilingBatcher>>>();

/** The batcher of a side on a database and queue: every request filing through them shares it. */
export function filingBatcherOf(pool: pg.Pool, boss: PgBoss, side: SideDefinition): FilingBatcher {
  let byBoss = batchers.get(pool);
  if (!byBoss) batchers.set(pool, (byBoss = new WeakMap()));
  let bySide = byBoss.get(boss);
  if (!bySide) byBoss.set(boss, (bySide = new Map()));
  let batcher = bySide.get(side.side);
  if (!batcher) {
    // Two filing transactions at a time: measured on bench/http.ts, fewer and fuller batches file
    // more per second than many small ones (1 or 2 in flight: 1,350-1,440 req/s; 5: 1,000), and a
    // second keeps one slow transaction from holding up every filing behind it.
    bySide.set(side.side, (batcher = new FilingBatcher(pool, boss, side, { inFlight: Math.min(2, pool.options.max ?? 2), maxBatch: 100 })));
  }
  return batcher;
}
