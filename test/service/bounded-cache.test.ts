import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/bounded-cache.ts';

describe('BoundedCache', () => {
  it('never holds more than its limit, and forgets the oldest entries first', () => {
    const cache = new BoundedCache<number, string>(10);
    for (let i = 0; i < 1000; i++) {
      cache.set(i, `record ${i}`);
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    // The last half-limit of insertions is always kept; the first ones are long gone.
    for (let i = 995; i < 1000; i++) expect(cache.get(i)).toBe(`record ${i}`);
    expect(cache.get(0)).toBeUndefined();
    expect(cache.get(900)).toBeUndefined();
  });

  it('keeps an entry that is used, however long ago it was first stored', () => {
    const cache = new BoundedCache<string, number>(8);
    cache.set('often read', 1);
    for (let i = 0; i < 100; i++) {
      cache.set(`once ${i}`, i);
      expect(cache.get('often read')).toBe(1);
    }
    expect(cache.get('once 0')).toBeUndefined();
  });

  it('replaces, deletes and empties like a Map, and keeps values that are undefined or falsy', () => {
    const cache = new BoundedCache<string, number | undefined>(6);
    cache.set('a', 1).set('a', 2).set('zero', 0).set('nothing', undefined);
    expect(cache.get('a')).toBe(2);
    expect(cache.get('zero')).toBe(0);
    expect(cache.size).toBe(3);
    for (const key of ['b', 'c']) cache.set(key, 9); // 'a' moves to the old generation, then is read back
    expect(cache.get('a')).toBe(2);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('zero')).toBeUndefined();
  });

  it('refuses a limit too small to hold anything', () => {
    expect(() => new BoundedCache(1)).toThrow(RangeError);
    expect(() => new BoundedCache(Number.NaN)).toThrow(RangeError);
  });
});
