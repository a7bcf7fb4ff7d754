// The two sides of milap, described once so that one repository, one service and one set of routes
// serve both: what differs between a missing report and a found child is data, not code.
import type { z } from 'zod';
import type { FoundChild, MissingReport, Place, Side } from '../../matchers/record.ts';
import {
  foundChildPatchSchema,
  foundChildSchema,
  missingReportPatchSchema,
  missingReportSchema,
} from './schema.ts';

/** Either side's record, as filed. */
export type ChildRecord = MissingReport | FoundChild;

export interface SideDefinition {
  side: Side;
  table: 'missing_report' | 'found_child';
  /** Singular noun for messages: "missing report", "found child". */
  noun: string;
  schema: z.ZodType<ChildRecord>;
  patchSchema: z.ZodType<Record<string, unknown>>;
  statuses: readonly string[];
  initialStatus: string;
  /** The date the record is about: when the child went missing, or was found. */
  eventDate(record: ChildRecord): string;
  /** Who filed it: `ref` is unique within this unit. */
  filingUnit(record: ChildRecord): string;
  /** The record's places by field name; the first is its jurisdiction (lists filter by it). */
  places(record: ChildRecord): Record<string, Place | null | undefined>;
}

export const missingSide: SideDefinition = {
  side: 'missing',
  table: 'missing_report',
  noun: 'missing report',
  schema: missingReportSchema,
  patchSchema: missingReportPatchSchema,
  statuses: ['open', 'matched', 'traced', 'closed', 'withdrawn'],
  initialStatus: 'open',
  eventDate: (r) => (r as MissingReport).missingSince,
  filingUnit: (r) => (r as MissingReport).policeStation ?? '',
  places: (r) => ({ lastSeen: (r as MissingReport).lastSeen, home: (r as MissingReport).home }),
};

export const foundSide: SideDefinition = {
  side: 'found',
  table: 'found_child',
  noun: 'found child',
  schema: foundChildSchema,
  patchSchema: foundChildPatchSchema,
  statuses: ['in_care', 'matched', 'restored', 'left_care', 'withdrawn'],
  initialStatus: 'in_care',
  eventDate: (r) => (r as FoundChild).foundOn,
  filingUnit: (r) => (r as FoundChild).institution ?? '',
  places: (r) => ({ foundAt: (r as FoundChild).foundAt, statedHome: (r as FoundChild).statedHome }),
};

export const sides = { missing: missingSide, found: foundSide } as const;
