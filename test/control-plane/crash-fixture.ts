// Child process for the teardown test: starts a throwaway control plane, reports its pids,
// then dies the way a broken test would. Usage: node crash-fixture.ts throw|sigkill|sigterm
import { startControlPlane } from './harness.ts';

const mode = process.argv[2] ?? 'throw';
const cp = await startControlPlane({ quiet: true });
process.stdout.write(JSON.stringify({ pids: cp.pids, dir: cp.dir }) + '\n');
if (mode === 'throw') {
  // Let the line above flush, then fail like an uncaught test error would.
  setTimeout(() => {
    throw new Error('deliberate failure with a control plane running');
  }, 50);
} else {
  setInterval(() => {}, 1000); // wait for the parent's signal
}
