// Login attempts per client address in a sliding window, before any password is checked: a
// guessing client is slowed down here, and a guessed account is locked by the database (users.ts).
export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();

  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit = 20, windowMs = 5 * 60_000) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Records an attempt; false when the address is over its limit. */
  allow(address: string, now = Date.now()): boolean {
    const recent = (this.attempts.get(address) ?? []).filter((at) => now - at < this.windowMs);
    recent.push(now);
    this.attempts.set(address, recent);
    if (this.attempts.size > 10_000) this.forgetIdle(now);
    return recent.length <= this.limit;
  }

  private forgetIdle(now: number): void {
    for (const [address, times] of this.attempts) {
      if (times.every((at) => now - at >= this.windowMs)) this.attempts.delete(address);
    }
  }
}
