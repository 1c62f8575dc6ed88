// Imports run one way: core <- runtime <- shells (never each other) <- composition root; the CLI
// imports the core and loads the root's commands lazily. The rule lives in test/support/import-layers.ts.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importsOf, layerOf, layerViolations } from '../support/import-layers.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/layers');

describe('import layers', () => {
  it('no source file of the repository imports the wrong way', () => {
    assert.deepEqual(layerViolations(REPO_ROOT), []);
  });

  it('reports each wrong import of the fixture tree, and only those', () => {
    assert.deepEqual(layerViolations(FIXTURE), [
      'certs/cert.ts: ../helper.ts (import of helper.ts, outside the source folders)',
      'certs/cert.ts: <computed: name> (a computed import cannot be checked)',
      'src/cli/commands.ts: ../operator/root.ts (import from cli into root)',
      'src/wrong-core.ts: ./kube/runtime.ts (import from core into runtime)',
      'src/wrong-core.ts: node:fs (the core does no I/O: package not allowed)',
      'webhooks/hook.ts: ../controllers/controller.ts (import from webhooks into controllers)',
    ]);
  });

  it('reads static, type-only, re-exported, side-effect and dynamic imports, not comments', () => {
    const source = [
      "import type { A } from './a.ts';",
      "import {\n  B,\n} from './b.ts';",
      "export { C } from './c.ts';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
      "// import { F } from './f.ts';",
      "/* import('./g.ts') */",
      "const url = 'http://example.invalid'; import h from './h.json' with { type: 'json' };",
    ].join('\n');
    assert.deepEqual(
      importsOf('x.ts', source).map(({ specifier, dynamic }) => `${specifier}${dynamic ? ' (dynamic)' : ''}`).sort(),
      ['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts (dynamic)', './h.json'],
    );
  });

  it('places each folder in its layer', () => {
    assert.deepEqual(
      ['src/api/core.ts', 'src/hash.ts', 'src/kube/kube-http.ts', 'src/operator/operator.ts', 'src/cli/main.ts', 'webhooks/server.ts', 'controllers/controller.ts', 'certs/manager.ts', 'test/unit/x.ts'].map(layerOf),
      ['core', 'core', 'runtime', 'root', 'cli', 'webhooks', 'controllers', 'certs', undefined],
    );
  });
});
