// Pairs and restorations are seen by whoever's jurisdiction holds either of their two records.
import type { FastifyRequest } from 'fastify';
import { outsideJurisdiction } from './guard.ts';
import { contains, type Jurisdiction, type RecordPlace } from './jurisdiction.ts';
import type { Action } from './rules.ts';
import { HttpError } from '../http/errors.ts';

export function pairGuard(request: FastifyRequest, action: Action): (missing: RecordPlace, found: RecordPlace, state?: string) => void {
  const reach = request.authorize(action);
  const user = request.principal!;
  return (missing, found, state) => {
    if (reach === 'all') return;
    if (!contains(user, missing) && !contains(user, found)) throw outsideJurisdiction();
    if (reach === 'confirmed' && state !== undefined && state !== 'confirmed') {
      throw new HttpError(403, 'forbidden', 'repatriation sees confirmed pairs only');
    }
  };
}

export function pairScope(request: FastifyRequest, action: Action): { jurisdiction: Jurisdiction | undefined; onlyConfirmed: boolean } {
  const reach = request.authorize(action);
  return { jurisdiction: reach === 'all' ? undefined : request.principal!, onlyConfirmed: reach === 'confirmed' };
}
