import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIST_PAGE_SIZE, listAll, listItems } from '../../src/kube/list-pages.ts';
import { startFakeKubeServer, type FakeKubeServer } from './fake-kube-server.ts';

describe('LIST in pages', () => {
  let server: FakeKubeServer;
  const count = LIST_PAGE_SIZE * 2 + 7;

  before(async () => {
    server = await startFakeKubeServer();
    for (let i = 0; i < count; i++) server.apply('ADDED', { metadata: { name: `pod-${String(i).padStart(5, '0')}`, namespace: 'default' } });
  });
  after(() => server.close());

  it('reads every item in pages of LIST_PAGE_SIZE, following continue, with the caller query kept', async () => {
    server.requests.length = 0;
    const items = await listAll<{ metadata: { name: string } }>(server.kubeConfig, '/api/v1/pods', { labelSelector: 'app=x' });
    assert.equal(items.length, count);
    assert.equal(new Set(items.map((item) => item.metadata.name)).size, count, 'no item twice');
    assert.equal(server.requests.length, 3);
    for (const request of server.requests) {
      const query = new URL(request, 'http://x').searchParams;
      assert.equal(query.get('limit'), String(LIST_PAGE_SIZE));
      assert.equal(query.get('labelSelector'), 'app=x');
    }
    assert.equal(new URL(server.requests[0], 'http://x').searchParams.get('continue'), null, 'the first page has no continue token');
  });

  it('asks for the next page only when the caller takes more', async () => {
    server.requests.length = 0;
    for await (const item of listItems<{ metadata: { name: string } }>(server.kubeConfig, '/api/v1/pods')) {
      assert.equal(item.metadata.name, 'pod-00000');
      break;
    }
    assert.equal(server.requests.length, 1);
  });
});
