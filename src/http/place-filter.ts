// A state or district filter names a place as users write it ("Gurgaon", "JH", "झारखंड"); it
// resolves through the gazetteer like a record's place, and an unknown one is a 400, not an empty list.
import { listStates, resolvePlace } from '../../matchers/places.ts';
import { ValidationError } from './errors.ts';

export interface PlaceFilter {
  stateCode?: string | undefined;
  districtId?: string | undefined;
}

export function placeFilter(state: string | undefined, district: string | undefined): PlaceFilter {
  if (!state && !district) return {};
  const code = state?.toUpperCase();
  const stateCode = code && listStates().some((s) => s.code === code) ? code : undefined;
  const resolved = resolvePlace({ state: stateCode ? null : (state ?? null), district: district ?? null });
  if (state && !stateCode && !resolved.stateCode) {
    throw new ValidationError([{ field: 'query.state', reason: `unknown state '${state}'` }]);
  }
  if (district && !resolved.districtId) {
    throw new ValidationError([{ field: 'query.district', reason: `unknown district '${district}'` }]);
  }
  return { stateCode: stateCode ?? resolved.stateCode ?? undefined, districtId: district ? (resolved.districtId ?? undefined) : undefined };
}
