import assert from 'node:assert/strict';
import { listAllPages, normalize } from '../../../src/runtime/informer/list.ts';
import { Resources } from '../../../src/runtime/kube/resource.ts';
import type { KubeObject } from '../../../src/runtime/keys.ts';
import type { KubeList, Query } from '../../../src/runtime/kube/rest.ts';

const item = (name: string): KubeObject => ({ metadata: { name, namespace: 'ns', managedFields: [{ manager: 'helm', fieldsV1: { 'f:spec': {} } }] } });

describe('listAllPages', () => {
  it('normalises each page as it arrives, so managedFields of earlier pages are gone before the next page is fetched', async () => {
    const pages = [[item('a'), item('b')], [item('c')]];
    const seenAtRequest: boolean[][] = [];
    const delivered: KubeObject[] = [];
    const list = (_path: string, query: Query): Promise<KubeList<unknown>> => {
      seenAtRequest.push(delivered.map((o) => o.metadata?.managedFields === undefined));
      const index = query.continue ? 1 : 0;
      const page = pages[index]!;
      delivered.push(...page);
      return Promise.resolve({ metadata: { resourceVersion: `rv${index}`, ...(index === 0 ? { continue: 'next' } : {}) }, items: page });
    };
    const result = await listAllPages<KubeObject>(list, '/apis/apps/v1/deployments', 2, (o) => normalize(o, Resources.deployments));
    assert.deepEqual(seenAtRequest, [[], [true, true]], 'page one was stripped before page two was asked for');
    assert.deepEqual(result.items.map((o) => [o.metadata?.name, o.kind, o.metadata?.managedFields]), [['a', 'Deployment', undefined], ['b', 'Deployment', undefined], ['c', 'Deployment', undefined]]);
    assert.equal(result.metadata?.resourceVersion, 'rv1');
  });
});
