/**
 * Where the compiled worker entry scripts are.
 * Internal to the package.
 */
import { join } from 'node:path';

/**
 * The path of the compiled entry `name` (thread-entry, process-entry). A worker runs JavaScript
 * only, so when this module runs from its TypeScript sources (the test suite), the compiled
 * copy in lib/ is used: build it first (`npm run build:ts`).
 */
export function workerEntryPath(name: string): string {
  if (__filename.endsWith('.ts')) return join(__dirname, '..', '..', 'lib', 'workers', `${name}.js`);
  return join(__dirname, `${name}.js`);
}
