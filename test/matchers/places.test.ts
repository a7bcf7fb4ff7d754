// The gazetteer: old names, misspellings, other scripts; ambiguity never guessed; complete and sane.
import { describe, expect, it } from 'vitest';
import { distanceKm, districtsOf, listStates, resolvePlace } from '../../matchers/places.ts';

describe('resolving places', () => {
  it.each([
    [{ district: 'Gurgaon' }, 'HR-gurugram'], [{ district: 'Calcutta' }, 'WB-kolkata'], [{ district: 'Trichy' }, 'TN-tiruchirappalli'],
    [{ district: 'Bombay' }, 'MH-mumbai-city'], [{ district: 'Allahabad', state: 'UP' }, 'UP-prayagraj'], [{ district: 'Bangalore' }, 'KA-bengaluru-urban'],
    [{ district: 'Dhanbaad' }, 'JH-dhanbad'], [{ district: 'Gurugarm' }, 'HR-gurugram'], [{ district: 'धनबाद' }, 'JH-dhanbad'], [{ district: 'কলকাতা' }, 'WB-kolkata'],
    [{ place: 'Dhanbad railway station' }, 'JH-dhanbad'], [{ district: 'Cuttack' }, 'OD-cuttack'], [{ district: 'Katak' }, 'OD-cuttack'],
    [{ district: 'Aurangabad', state: 'Bihar' }, 'BR-aurangabad'], [{ district: 'Hamirpur', state: 'Himachal Pradesh' }, 'HP-hamirpur'],
    // Clerks' spellings with no state: by how they sound, or one slip from it.
    [{ district: 'Haapur' }, 'UP-hapur'], [{ district: 'Sathara' }, 'MH-satara'], [{ district: 'Shauth Goa' }, 'GA-south-goa'],
    [{ district: 'Bunid' }, 'RJ-bundi'], [{ district: 'Hooglhy' }, 'WB-hooghly'], [{ district: 'Navada' }, 'BR-nawada'],
  ])('%j → %s', (place, districtId) => {
    expect(resolvePlace(place)).toMatchObject({ resolution: 'district', districtId });
  });

  it('a name two states share resolves only with the state', () => {
    expect(resolvePlace({ district: 'Aurangabad' }).resolution).toBe('unresolved');
    expect(resolvePlace({ district: 'Bilaspur' }).resolution).toBe('unresolved');
    expect(resolvePlace({ district: 'Aurangabaad' }).resolution).toBe('unresolved');
    expect(resolvePlace({ district: 'Bilashpur' }).resolution).toBe('unresolved');
    expect(resolvePlace({ district: 'Bilaspur', state: 'Chhattisgarh' }).districtId).toBe('CG-bilaspur');
  });

  it('keeps what it cannot resolve, and says so', () => {
    expect(resolvePlace({ district: 'xyzzy' }).resolution).toBe('unresolved');
    expect(resolvePlace({ district: 'xyzzy', state: 'Orissa' })).toMatchObject({ resolution: 'state', stateCode: 'OD' });
    expect(resolvePlace({}).resolution).toBe('empty');
    expect(resolvePlace(null).resolution).toBe('empty');
  });

  it('measures distances', () => {
    const km = distanceKm(resolvePlace({ district: 'New Delhi' }), resolvePlace({ district: 'Dhanbad' }))!;
    expect(km).toBeGreaterThan(1000);
    expect(km).toBeLessThan(1150);
    expect(distanceKm(resolvePlace({ district: 'Dhanbad' }), resolvePlace({ district: 'Dhanbad' }))).toBe(0);
  });
});

describe('the gazetteer', () => {
  const states = listStates();
  const districts = states.flatMap((state) => districtsOf(state.code).map((d) => ({ ...d, state: state.code })));
  it('has all 36 states and union territories, each with districts, 750 or more in all', () => {
    expect(states).toHaveLength(36);
    expect(states.every((state) => districtsOf(state.code).length > 0)).toBe(true);
    expect(districts.length).toBeGreaterThanOrEqual(750);
    expect(new Set(districts.map((d) => d.id)).size).toBe(districts.length);
  });

  it('puts every headquarters inside India and near the rest of its state', () => {
    for (const district of districts) {
      expect(district.lat, district.id).toBeGreaterThan(6);
      expect(district.lat, district.id).toBeLessThan(37.5);
      expect(district.lon, district.id).toBeGreaterThan(68);
      expect(district.lon, district.id).toBeLessThan(97.5);
    }
    for (const state of states) {
      const own = districtsOf(state.code);
      const centre = { lat: own.reduce((s, d) => s + d.lat, 0) / own.length, lon: own.reduce((s, d) => s + d.lon, 0) / own.length };
      for (const district of own) {
        const km = distanceKm({ ...centre, stateCode: null, stateName: null, districtId: null, districtName: null, resolution: 'unresolved' }, { lat: district.lat, lon: district.lon, stateCode: null, stateName: null, districtId: null, districtName: null, resolution: 'unresolved' })!;
        expect(km, district.id).toBeLessThan(800);
      }
    }
  });
});
