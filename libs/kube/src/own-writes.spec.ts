import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ManagedFieldsEntry } from '@kubernetes/client-node';
import { lastWrittenByUs } from './own-writes';

const entry = (manager: string, time: string): V1ManagedFieldsEntry => ({ manager, operation: 'Update', apiVersion: 'v1', time: time as unknown as Date });
const object = (...managedFields: V1ManagedFieldsEntry[]) => ({ metadata: { name: 'web', managedFields } });

describe('lastWrittenByUs', () => {
  const cases: [string, ReturnType<typeof object>, boolean][] = [
    ['only our entry', object(entry('service-replicator', '2026-12-01T10:00:00Z')), true],
    ['ours newer than the API server defaults written at creation', object(entry('kube-apiserver', '2026-12-01T09:00:00Z'), entry('service-replicator', '2026-12-01T10:00:00Z')), true],
    ['a kubectl edit after ours', object(entry('service-replicator', '2026-12-01T10:00:00Z'), entry('kubectl-edit', '2026-12-01T10:00:05Z')), false],
    ['an edit in the same second as ours', object(entry('service-replicator', '2026-12-01T10:00:00Z'), entry('kubectl-patch', '2026-12-01T10:00:00Z')), false],
    ['no entry of ours (a user created it)', object(entry('kubectl-create', '2026-12-01T10:00:00Z')), false],
    ['no managedFields at all', object(), false],
  ];
  for (const [name, given, expected] of cases) it(`${name} -> ${expected}`, () => assert.equal(lastWrittenByUs(given), expected));
});
