// The image cannot be built here (no container engine), so this checks what a build would get
// wrong without failing: the runtime sources must only load what the image contains.

import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/helm.ts';

const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

/** Source directories the runtime stage copies from the build context. */
const copiedDirs = [...runtimeStage.matchAll(/^COPY (?!--from)(\S+) \.\/(\S+)$/gm)]
  .map((m) => m[1]!)
  .filter((src) => fs.statSync(path.join(REPO_ROOT, src)).isDirectory());

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs|json)$/.test(e.name) && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(REPO_ROOT, path.join(e.parentPath, e.name)));
}

/** Module specifiers a file loads at run time (`import type` / `export type` are erased). */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    if (!m[1]) out.push(m[2]!);
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('Dockerfile', () => {
  it('builds production dependencies with npm ci --omit=dev in a Node 24 stage and runs as 65532', () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-slim$/m);
    assert.match(dockerfile, /RUN npm ci --omit=dev\b/);
    assert.match(runtimeStage, /^COPY --from=deps \/app\/node_modules \.\/node_modules$/m);
    assert.match(runtimeStage, /^COPY package\.json \.\/$/m);
    assert.match(runtimeStage, /^USER 65532:65532$/m);
    assert.match(runtimeStage, /^ENTRYPOINT \["node", "src\/cli\/main\.ts"\]$/m);
    assert.match(runtimeStage, /^CMD \["serve"\]$/m);
    assert.deepEqual([...copiedDirs].sort(), ['certs', 'controllers', 'src', 'webhooks']);
    assert.ok(pkg.devDependencies.node, 'the node binary package is a devDependency, so --omit=dev skips it');
    assert.equal(pkg.dependencies.node, undefined);
  });

  it('the copied sources load only builtins, production dependencies and other copied files', () => {
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    let files = 0;
    for (const dir of copiedDirs) {
      for (const file of sourceFiles(dir)) {
        files++;
        for (const spec of runtimeImports(file)) {
          if (spec.startsWith('node:') || builtins.has(spec)) continue;
          if (spec.startsWith('.')) {
            const target = path.relative(REPO_ROOT, path.resolve(REPO_ROOT, path.dirname(file), spec));
            if (!copiedDirs.some((d) => target === d || target.startsWith(d + path.sep))) problems.push(`${file}: ${spec} is not in the image`);
            continue;
          }
          const name = packageName(spec);
          if (!pkg.dependencies?.[name]) problems.push(`${file}: ${spec} is not a production dependency`);
        }
      }
    }
    assert.ok(files > 0);
    assert.deepEqual(problems, []);
  });

  it('.dockerignore sends only what the image copies', () => {
    const lines = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '*', 'allow-list: everything is ignored first');
    const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')).sort();
    assert.deepEqual(allowed, [...copiedDirs, 'package-lock.json', 'package.json'].sort());
  });
});
