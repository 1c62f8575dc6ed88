// `sidecarset serve` flags: names, defaults, Go durations and booleans, and clear errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/cli/duration.ts';
import { InputError } from '../../src/cli/input.ts';
import { serveCommand } from '../../src/operator/serve-command.ts';
import { serveArguments } from '../../src/operator/serve-flags.ts';
import { DEFAULT_SETTINGS } from '../../src/operator/operator.ts';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  serveArguments(parseArgs({ args, options: serveCommand.options, strict: true, allowPositionals: false }).values as Record<string, string | string[] | boolean>, env);

describe('parseDuration', () => {
  const cases: [string, number | undefined][] = [
    ['15s', 15_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['100us', 0.1],
    ['0', 0],
    ['-2s', -2_000],
    ['2h45m3.5s', 9_903_500],
    ['', undefined],
    ['15', undefined],
    ['s', undefined],
    ['1d', undefined],
    ['1m 30s', undefined],
    ['.5s', 500],
  ];
  for (const [text, ms] of cases) {
    it(`"${text}" -> ${ms}`, () => assert.equal(parseDuration(text), ms));
  }
});

describe('serve flags', () => {
  it('default to the documented values', () => {
    const { settings, kubeconfig } = parse([]);
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.equal(kubeconfig, undefined);
    assert.equal(settings.port, 9443);
    assert.equal(settings.metricsPort, 8080);
    assert.equal(settings.certDir, '/tmp/sidecarset-webhook-certs');
    assert.equal(settings.shutdownDrainMs, 15_000);
  });

  it('take the namespace from POD_NAMESPACE unless --namespace is given', () => {
    assert.equal(parse([], { POD_NAMESPACE: 'ops' }).settings.namespace, 'ops');
    assert.equal(parse(['--namespace', 'x'], { POD_NAMESPACE: 'ops' }).settings.namespace, 'x');
  });

  it('read every flag', () => {
    const { settings, kubeconfig } = parse([
      '--port=1', '--metrics-port', '2', '--bind-address', '127.0.0.1', '--cert-dir', '/c', '--cert-mode', 'cert-manager',
      '--namespace', 'n', '--service-name', 's', '--secret-name', 'sec', '--mutating-webhook-configuration', 'm',
      '--validating-webhook-configuration', 'v', '--kubeconfig', '/k', '--log-level', 'debug', '--leader-elect=false',
      '--leader-election-id', 'l', '--lease-duration', '1m', '--renew-deadline', '30s', '--retry-period', '500ms',
      '--workers', '7', '--whitelist-configmap', 'w', '--allow-patch-metadata-without-whitelist', '--shutdown-drain', '1s',
      '--excluded-namespaces', 'a, b,',
    ]);
    assert.equal(kubeconfig, '/k');
    assert.deepEqual(settings, {
      port: 1, metricsPort: 2, bindAddress: '127.0.0.1', certDir: '/c', certMode: 'cert-manager', namespace: 'n',
      serviceName: 's', secretName: 'sec', mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'v',
      logLevel: 'debug', leaderElect: false, leaderElectionId: 'l', leaseDurationMs: 60_000, renewDeadlineMs: 30_000,
      retryPeriodMs: 500, workers: 7, whitelistConfigMap: 'w', allowPatchMetadataWithoutWhitelist: true, shutdownDrainMs: 1_000,
      excludedNamespaces: ['a', 'b'],
    });
  });

  it('collect repeatable extra certificate SANs, refusing a bad IP', () => {
    assert.deepEqual(parse([]).certificateExtras, { extraDnsNames: [], extraIps: [] });
    assert.deepEqual(parse(['--cert-extra-dns', 'a.example', '--cert-extra-dns=b.example', '--cert-extra-ip', '127.0.0.1', '--cert-extra-ip', '::1']).certificateExtras, {
      extraDnsNames: ['a.example', 'b.example'],
      extraIps: ['127.0.0.1', '::1'],
    });
    assert.throws(() => parse(['--cert-extra-ip', '300.1.1.1']), /--cert-extra-ip: "300.1.1.1" is not an IP address/);
  });

  it('read --leader-elect like a Go bool flag', () => {
    assert.equal(parse(['--leader-elect=true']).settings.leaderElect, true);
    assert.equal(parse(['--leader-elect=0']).settings.leaderElect, false);
    assert.throws(() => parse(['--leader-elect=maybe']), /--leader-elect: expected true or false, got "maybe"/);
  });

  const bad: [string[], RegExp][] = [
    [['--port', '70000'], /--port: expected an integer in \[0, 65535\], got "70000"/],
    [['--port', '9x'], /--port: expected an integer/],
    [['--workers', '0'], /--workers: expected an integer in \[1, 1000\]/],
    [['--cert-mode', 'vault'], /--cert-mode: expected one of self, cert-manager, external, got "vault"/],
    [['--log-level', 'loud'], /--log-level: expected one of/],
    [['--shutdown-drain', '15'], /--shutdown-drain: expected a duration such as 15s or 1m30s, got "15"/],
    [['--lease-duration=-1s'], /--lease-duration: expected a duration/],
    [['--namespace='], /--namespace: a value is required/],
  ];
  for (const [args, message] of bad) {
    it(`refuse ${args.join(' ')}`, () => {
      assert.throws(() => parse(args), (error: unknown) => error instanceof InputError && message.test(error.message));
    });
  }
});
