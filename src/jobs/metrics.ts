// In-process counters of the match worker, read by /metrics: jobs done and failed, the latency of
// recent jobs (a ring of the last 2,048) as p50/p95/p99, the records it holds prepared, and those
// whose keys it holds in memory.
export class WorkerMetrics {
  processed = 0;
  failed = 0;
  #prepared: () => number = () => 0;

  /** The workers report how many records their engine holds prepared (warm.ts; engine.ts, cacheSize). */
  watchPrepared(count: () => number): void {
    this.#prepared = count;
  }

  get preparedRecords(): number {
    return this.#prepared();
  }

  #keys: () => number = () => 0;

  /** The workers report how many records' keys they hold in memory (live-keys.ts): 0 until they are read, while jobs search the database. */
  watchKeys(count: () => number): void {
    this.#keys = count;
  }

  get keysInMemory(): number {
    return this.#keys();
  }
  private readonly latencies = new Float64Array(2048);
  private count = 0;

  record(milliseconds: number, ok: boolean): void {
    if (ok) this.processed++;
    else this.failed++;
    this.latencies[this.count++ % this.latencies.length] = milliseconds;
  }

  percentile(p: number): number | null {
    const n = Math.min(this.count, this.latencies.length);
    if (n === 0) return null;
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.min(n - 1, Math.floor((p / 100) * n))]!;
  }
}
