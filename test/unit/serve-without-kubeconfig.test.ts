// `sidecarset serve` with no kubeconfig anywhere: exit 1 and one line naming every place tried,
// instead of client-node's silent fallback to http://localhost:8080 and endless retries.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { temporaryDirectory } from '../support/temporary-directory.ts';
import { REPO_ROOT } from './cli-spawn.ts';

describe('sidecarset serve without a kubeconfig', () => {
  it('exits 1 with one line: in-cluster, $KUBECONFIG and ~/.kube/config tried, npm run dev suggested', () => {
    const home = temporaryDirectory('sidecarset-home-');
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/node'), ['bin/sidecarset.js', 'serve'], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, ...env }, timeout: 20_000 });
    const hint = 'For a local cluster run `npm run dev` and use its .dev/kubeconfig, or pass --kubeconfig FILE';

    const bare = run({});
    assert.deepEqual({ code: bare.status, stdout: bare.stdout, stderr: bare.stderr }, {
      code: 1,
      stdout: '',
      stderr: `error: no kubeconfig found; tried in-cluster (KUBERNETES_SERVICE_HOST unset), $KUBECONFIG (unset), ~/.kube/config (${home}/.kube/config: not found). ${hint}\n`,
    });

    const named = run({ KUBECONFIG: path.join(home, 'missing.yaml'), KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    assert.deepEqual({ code: named.status, stdout: named.stdout, stderr: named.stderr }, {
      code: 1,
      stdout: '',
      stderr: `error: no kubeconfig found; tried in-cluster (no /var/run/secrets/kubernetes.io/serviceaccount/token), $KUBECONFIG (${home}/missing.yaml: not found). ${hint}\n`,
    });
  });
});
