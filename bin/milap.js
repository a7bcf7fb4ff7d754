#!/usr/bin/env node
// Loads the TypeScript CLI through tsx in this same process, so `npx milap` works from a fresh
// checkout with no build step and signals (SIGTERM) reach the service directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
