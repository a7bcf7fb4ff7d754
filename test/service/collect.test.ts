import { setTimeout as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/matching/collect.ts';

describe('the collection at the end of a warm-up', () => {
  it('frees what nothing holds any longer, and can be asked again', async () => {
    for (let round = 0; round < 2; round++) {
      // Held by nothing but the WeakRef, made a turn before: a WeakRef keeps its target alive to the
      // end of the turn that made it.
      const held = new WeakRef(Array.from({ length: 10_000 }, (_, i) => ({ id: `row-${i}` })));
      await tick(0);
      expect(held.deref()).toBeDefined(); // nothing collects a young array this small on its own so soon
      await tick(0); // (and deref too keeps it to the end of its turn)
      expect(collectGarbage()).toBeGreaterThanOrEqual(0);
      expect(held.deref()).toBeUndefined();
    }
  });
});
