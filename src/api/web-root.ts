// Where the built dashboard is (web-dist/ of the installation, written by vite from src/web/) and how a
// clone builds it.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web-dist/', import.meta.url));

export const BUILD_DASHBOARD = 'run scripts/setup (or npm run build:web)';

/** Whether `webRoot` holds a built dashboard. */
export function dashboardBuilt(webRoot: string = DEFAULT_WEB_ROOT): boolean {
  return existsSync(join(webRoot, 'index.html'));
}
