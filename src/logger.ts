// pino options: JSON in production, pretty in development, and never a child's name, a phone
// number or an address in a line (bodies are not logged; these paths catch what slips through).
import type { LoggerOptions } from 'pino';
import type { Config } from './config.ts';

const personalFields = [
  'name', 'aliases', 'fatherName', 'motherName', 'guardianName', 'contactPhone', 'address', 'pincode',
  'identificationMarks', 'description', 'birthDate', 'place', 'lat', 'lon',
];

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  ...personalFields.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `record.*.${field}`]),
];

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...(config.NODE_ENV === 'development'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } }
      : {}),
  };
}
