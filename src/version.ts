// Vigil's version, from package.json (the same path from src/ and from the built dist/).

import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function vigilVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cached;
}
