// Regenerates src/api/generated/go-json-layout.json: how Go's encoding/json lays out corev1.Container
// (field order, omitempty, kinds), which src/hash.ts needs to reproduce OpenKruise's SidecarSet hash
// byte for byte. The Go program in scripts/go-json-layout/ reads it off k8s.io/api by reflection
// and checks the result against encoding/json itself.
//
// Usage: node scripts/generate-go-json-layout.ts   (needs Go; run once per Kubernetes bump)
// On a bump it first moves scripts/go-json-layout/go.mod to the k8s.io/api release matching
// KUBERNETES_VERSION (that step needs the module proxy; set GONOSUMDB/GOSUMDB=off if the checksum
// database is unreachable). Commit go.mod, go.sum and the layout together.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBERNETES_VERSION } from '../src/api/kubernetes-version.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const program = path.join(root, 'scripts', 'go-json-layout');
const output = path.join(root, 'src', 'api', 'generated', 'go-json-layout.json');
// Kubernetes v1.X.Y publishes its staging modules (k8s.io/api, k8s.io/apimachinery) as v0.X.Y.
const apiVersion = KUBERNETES_VERSION.replace(/^v1\./, 'v0.');
const env = { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local', GOFLAGS: '-mod=mod' };

function go(args: string[]): string {
  return execFileSync('go', args, { cwd: program, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

const goMod = readFileSync(path.join(program, 'go.mod'), 'utf8');
if (!new RegExp(`^\\s*k8s\\.io/api ${apiVersion.replaceAll('.', '\\.')}$`, 'm').test(goMod)) {
  console.log(`moving scripts/go-json-layout to k8s.io/api ${apiVersion}`);
  go(['get', `k8s.io/api@${apiVersion}`, `k8s.io/apimachinery@${apiVersion}`]);
  go(['mod', 'tidy']);
}

const layout = go(['run', '.', 'layout']);
JSON.parse(layout); // refuse to write anything that is not JSON
writeFileSync(output, layout);
console.log(`wrote ${path.relative(root, output)}`);
