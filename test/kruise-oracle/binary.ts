// Where the Kruise oracle binary lives: ${XDG_CACHE_HOME:-~/.cache}/sidecarset/kruise-oracle/<key>/,
// the key being the Kruise version and a digest of the module's sources, so that editing main.go or
// bumping a dependency builds a new binary instead of running a stale one. KRUISE_ORACLE overrides.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable, sidecarsetCacheDir } from '../support/files.ts';

export const ORACLE_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ORACLE_SOURCES = ['go.mod', 'go.sum', 'main.go', 'bench.go'];
export const ORACLE_ENV = 'KRUISE_ORACLE';

/** The Kruise version the oracle module pins (its go.mod decides). */
export function kruiseVersion(): string {
  const gomod = fs.readFileSync(path.join(ORACLE_DIR, 'go.mod'), 'utf8');
  const version = /^\s*(?:require\s+)?github\.com\/openkruise\/kruise (v\S+)/m.exec(gomod)?.[1];
  if (!version) throw new Error('test/kruise-oracle/go.mod does not require github.com/openkruise/kruise');
  return version;
}

export function oracleCachePath(): string {
  const digest = createHash('sha256');
  for (const file of ORACLE_SOURCES) {
    const p = path.join(ORACLE_DIR, file);
    if (fs.existsSync(p)) digest.update(file).update(fs.readFileSync(p));
  }
  return sidecarsetCacheDir('kruise-oracle', `${kruiseVersion()}-${digest.digest('hex').slice(0, 12)}`, 'kruise-oracle');
}

/** The binary to run, or undefined when it has not been built. */
export function locateOracle(): string | undefined {
  const explicit = process.env[ORACLE_ENV];
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  const cached = oracleCachePath();
  return isExecutable(cached) ? cached : undefined;
}
