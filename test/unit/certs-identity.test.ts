// The names a serving certificate must carry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { servingIdentity } from '../../certs/identity.ts';

describe('servingIdentity', () => {
  it('lists the Service in its four DNS forms, then the extras, without duplicates', () => {
    const identity = servingIdentity({ serviceName: 'hook', namespace: 'ops', extraDnsNames: ['hook.ops.svc', 'Web.Example.com'], extraIps: ['10.0.0.1', '10.0.0.1'] });
    assert.deepEqual(identity, {
      commonName: 'hook',
      dnsNames: ['hook', 'hook.ops', 'hook.ops.svc', 'hook.ops.svc.cluster.local', 'web.example.com'],
      ips: ['10.0.0.1'],
    });
  });

  it('writes IPv6 addresses in one canonical form', () => {
    assert.deepEqual(servingIdentity({ serviceName: 'a', namespace: 'b', extraIps: ['FD00:0:0::1', '::ffff:10.1.2.3'] }).ips, ['fd00::1', '::ffff:a01:203']);
  });

  it('refuses malformed names and addresses', () => {
    assert.throws(() => servingIdentity({ serviceName: 'a', namespace: 'b', extraIps: ['300.1.1.1'] }), /invalid IP address "300.1.1.1"/);
    assert.throws(() => servingIdentity({ serviceName: 'a_b', namespace: 'b' }), /invalid DNS name "a_b"/);
    assert.throws(() => servingIdentity({ serviceName: 'a', namespace: 'b', extraDnsNames: ['-x.example.com'] }), /invalid DNS name/);
  });
});
