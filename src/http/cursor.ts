// Keyset-pagination cursors: the last row's sort key, opaque to clients, checked when it comes back.
import type { z } from 'zod';
import { ValidationError } from './errors.ts';

export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError([{ field: 'query.cursor', reason: 'not a cursor this API gave out' }]);
  }
}
