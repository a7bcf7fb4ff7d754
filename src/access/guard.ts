// Turning the rules into checks on a request: may this user do this action, and on this record?
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { contains, type Jurisdiction, type RecordPlace } from './jurisdiction.ts';
import type { Action } from './rules.ts';

export const outsideJurisdiction = () => new HttpError(403, 'forbidden', 'this lies outside your jurisdiction');

/** A check for each record the action touches; throws 403 for one outside the user's jurisdiction. */
export function recordGuard(request: FastifyRequest, action: Action): (place: RecordPlace) => void {
  const reach = request.authorize(action);
  const user = request.principal!;
  return (place) => {
    if (reach !== 'all' && !contains(user, place)) throw outsideJurisdiction();
  };
}

/** The jurisdiction a list must stay inside, or undefined when the action reaches everything. */
export function listScope(request: FastifyRequest, action: Action): Jurisdiction | undefined {
  const reach = request.authorize(action);
  return reach === 'all' ? undefined : request.principal!;
}
