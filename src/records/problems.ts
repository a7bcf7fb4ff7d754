// zod issues as (field, reason) pairs a person can act on: "home.pincode: must be a six-digit PIN code".
import type { z } from 'zod';
import type { FieldProblem } from '../http/errors.ts';

export function fieldProblems(error: z.ZodError, prefix: (string | number)[] = []): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), reason: 'unknown field' }));
    }
    return [{ field: path.join('.'), reason: issue.message }];
  });
}
