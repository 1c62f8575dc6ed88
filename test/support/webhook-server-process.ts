// The admission server in a child process, for tests that try to crash it: a crash then kills only
// the child, and the test can tell. Started with the heap it should run in
// (`node --max-old-space-size=N webhook-server-process.ts '<server options as JSON>'`); prints one
// line `{"port":N,"caPem":"..."}` once it listens on 127.0.0.1, and stops on SIGTERM.
import { memoryClusterCaches, namespace } from './memory-caches.ts';
import { startTestWebhookServer } from './test-webhook-server.ts';

const server = JSON.parse(process.argv[2] ?? '{}');
const t = await startTestWebhookServer({ logLevel: 'warn', server, caches: memoryClusterCaches({ namespaces: [namespace('team-a')] }) });
process.stdout.write(`${JSON.stringify({ port: t.port, caPem: t.tls.caPem })}\n`);
process.on('SIGTERM', () => {
  void t.close().then(() => process.exit(0));
});
