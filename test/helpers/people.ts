// Synthetic children for tests: invented people, never real ones.
import type { FoundChild, MissingReport } from '../../matchers/record.ts';

let counter = 0;
const nextRef = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** A missing report with every field of CONTRACT.md filled in. */
export function fullMissingReport(overrides: Partial<MissingReport> = {}): MissingReport {
  return {
    ref: nextRef('FIR'),
    name: 'Lakshmi Kumari',
    aliases: ['Lachhmi', 'Guddi'],
    sex: 'female',
    birthDate: '2014-02-11',
    ageYears: 9,
    missingSince: '2023-03-10',
    lastSeen: { place: 'Dhanbad Junction railway station', district: 'Dhanbad', state: 'Jharkhand', lat: 23.7918, lon: 86.4294 },
    home: { place: 'Jharia', district: 'Dhanbad', state: 'Jharkhand', address: 'House 12, Lane 4, Jharia', pincode: '828111', lat: 23.745, lon: 86.41 },
    fatherName: 'Ramesh Mahto',
    motherName: 'Sunita Devi',
    guardianName: 'Ramesh Mahto',
    languages: ['hi', 'Khortha'],
    heightCm: 128,
    identificationMarks: 'mole on left cheek; burn scar right hand',
    description: 'red frock, plastic slippers, thin build',
    policeStation: 'Dhanbad Sadar PS',
    contactPhone: '+91 98000 00000',
    photos: ['photos/lakshmi-1.jpg'],
    ...overrides,
  };
}

/** A found-child record with every field of CONTRACT.md filled in. */
export function fullFoundChild(overrides: Partial<FoundChild> = {}): FoundChild {
  return {
    ref: nextRef('CCI-DL'),
    name: 'लछमी',
    aliases: ['Guddi'],
    sex: 'female',
    birthDate: null,
    apparentAgeYears: 11,
    ageRangeYears: [10, 12],
    foundOn: '2025-01-20',
    foundAt: { place: 'New Delhi railway station', district: 'New Delhi', state: 'Delhi', lat: 28.6428, lon: 77.2191 },
    statedHome: { place: 'near the coal mines', district: 'Dhanbad', state: 'Jharkhand' },
    fatherName: 'रमेश',
    motherName: null,
    languages: ['hi'],
    heightCm: 138,
    identificationMarks: 'mole on left cheek',
    description: 'quiet; says she came by train',
    institution: 'Children Home for Girls, Delhi',
    photos: ['photos/found-1.jpg'],
    ...overrides,
  };
}
