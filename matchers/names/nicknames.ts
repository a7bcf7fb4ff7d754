// Pet names (fixtures/nicknames.json, written by us): which can stand for which given names, and
// the ones that stand for anyone ("Munna", "Chhotu", "Baby") and so identify no one.
import nicknames from '../../fixtures/nicknames.json' with { type: 'json' };
import { phoneticKey } from './phonetic.ts';

const generic = new Set(nicknames.anyone.map(phoneticKey));
const groups = new Map<string, Set<string>>();
for (const [pet, forms] of Object.entries(nicknames.forms as Record<string, string[]>)) {
  const family = [pet, ...forms].map(phoneticKey);
  for (const member of family) {
    const set = groups.get(member) ?? new Set<string>();
    for (const other of family) if (other !== member) set.add(other);
    groups.set(member, set);
  }
}

/** A pet name that could be any child's: no evidence of who the child is. */
export const isGenericPetName = (key: string): boolean => generic.has(key);

/** One of the two can be the pet name of the other (by phonetic key). */
export function nicknameOf(a: string, b: string): boolean {
  return Boolean(groups.get(a)?.has(b) || groups.get(b)?.has(a));
}
