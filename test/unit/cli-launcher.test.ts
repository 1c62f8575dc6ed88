// The launcher (bin/sidecarset.js, what `npx sidecarset` and `npm start` run): on a Node below 24 it
// says which Node it found and what to do, instead of failing on the TypeScript sources. An old Node
// is simulated by overriding process.versions before the launcher runs; the machine's own node is
// used as well when it is older.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { temporaryDirectory } from '../support/temporary-directory.ts';
import { REPO_ROOT, runCli } from './cli-spawn.ts';

const NODE = path.join(REPO_ROOT, 'node_modules/.bin/node');
const LAUNCHER = path.join(REPO_ROOT, 'bin/sidecarset.js');
const AS_NODE_20 = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.1.0"});Object.defineProperty(process,"version",{value:"v20.1.0"})';

function launch(launcher: string, nodeArgs: string[] = ['--import', AS_NODE_20], node = NODE) {
  const result = spawnSync(node, [...nodeArgs, launcher, '--help'], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sidecarset launcher', () => {
  it('runs the CLI on Node 24', () => {
    const result = runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^usage: sidecarset <command>/);
  });

  it('on an older Node, names it and says to install Node 24', () => {
    assert.deepEqual(launch(LAUNCHER), {
      code: 1,
      stdout: '',
      stderr:
        `error: sidecarset needs Node.js 24 or newer, but this is Node.js v20.1.0 (${NODE.replace('.bin/node', 'node/bin/node')}); ` +
        'install Node.js 24 or newer, or run `npm ci` in a checkout (its `node` devDependency provides it)\n',
    });
  });

  it('in a checkout installed with --ignore-scripts, says how to get the pinned Node', () => {
    // What `npm ci --ignore-scripts` leaves: the `node` package without the binary its install script fetches.
    const root = temporaryDirectory('sidecarset-launcher-');
    mkdirSync(path.join(root, 'bin'));
    mkdirSync(path.join(root, 'node_modules', 'node'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'node', 'package.json'), '{"name":"node"}');
    copyFileSync(LAUNCHER, path.join(root, 'bin', 'sidecarset.js'));
    writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
    const result = launch(path.join(root, 'bin', 'sidecarset.js'));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: sidecarset needs Node\.js 24 or newer, but this is Node\.js v20\.1\.0 \(.*\); the `node` devDependency was installed without its install script \(npm's ignore-scripts setting\): run `npm rebuild node --ignore-scripts=false` in .*sidecarset-launcher-.*, or install Node\.js 24\n$/,
    );
  });

  const machineNode = spawnSync('node', ['-p', 'process.versions.node'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
  const machineMajor = Number(machineNode.stdout?.split('.')[0]);
  it('on the machine\'s own older node, the same message', { skip: machineMajor > 0 && machineMajor < 24 ? false : 'the machine has no node older than 24' }, () => {
    const result = spawnSync('node', [LAUNCHER, '--help'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^error: sidecarset needs Node\\.js 24 or newer, but this is Node\\.js v${machineNode.stdout.trim().replaceAll('.', '\\.')} `));
  });
});
