// A record's free-text places resolved against the gazetteer when it is written. What could not be
// resolved stays as filed and is marked 'unresolved': never a silent guess.
import { resolvePlace, type ResolvedPlace } from '../../matchers/places.ts';
import type { ChildRecord, SideDefinition } from './sides.ts';

export interface RecordPlaces {
  places: Record<string, ResolvedPlace>;
  /** The record's jurisdiction for lists: its first place that resolved, else null. */
  stateCode: string | null;
  districtId: string | null;
}

export function resolveRecordPlaces(side: SideDefinition, record: ChildRecord): RecordPlaces {
  const places: Record<string, ResolvedPlace> = {};
  let stateCode: string | null = null;
  let districtId: string | null = null;
  for (const [field, place] of Object.entries(side.places(record))) {
    if (!place) continue;
    const resolved = resolvePlace(place);
    places[field] = resolved;
    if (!stateCode && resolved.stateCode) {
      stateCode = resolved.stateCode;
      districtId = resolved.districtId;
    }
  }
  return { places, stateCode, districtId };
}
