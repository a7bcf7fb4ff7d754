// A user's jurisdiction and whether a record, pair or restoration lies inside it; the same rule as
// a check on one row and as a SQL condition on a list.

export type Scope = 'national' | 'state' | 'district' | 'institution';

export interface Jurisdiction {
  scope: Scope;
  stateCode: string | null;
  districtId: string | null;
  /** For `institution`: the shelter home (or police station) whose records these are. */
  institution: string | null;
}

/** Where a record sits: its resolved jurisdiction place and the unit that filed it. */
export interface RecordPlace {
  stateCode: string | null;
  districtId: string | null;
  filingUnit: string;
}

export function contains(jurisdiction: Jurisdiction, record: RecordPlace): boolean {
  switch (jurisdiction.scope) {
    case 'national':
      return true;
    case 'state':
      return record.stateCode === jurisdiction.stateCode;
    case 'district':
      return record.districtId === jurisdiction.districtId;
    case 'institution':
      return record.filingUnit === jurisdiction.institution;
  }
}

/**
 * The same rule as SQL over a table alias with state_code, district_id and filing_unit columns.
 * `param` adds a value and returns its placeholder.
 */
export function containsSql(jurisdiction: Jurisdiction, alias: string, param: (value: unknown) => string): string {
  switch (jurisdiction.scope) {
    case 'national':
      return 'true';
    case 'state':
      return `${alias}.state_code = ${param(jurisdiction.stateCode)}`;
    case 'district':
      return `${alias}.district_id = ${param(jurisdiction.districtId)}`;
    case 'institution':
      return `${alias}.filing_unit = ${param(jurisdiction.institution)}`;
  }
}
