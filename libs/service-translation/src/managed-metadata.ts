import type { V1ObjectMeta } from '@kubernetes/client-node';

/** True when a label or annotation we set is missing or has another value; others' keys are ignored. */
export function managedMetadataDiffers(desired: V1ObjectMeta | undefined, actual: V1ObjectMeta | undefined): boolean {
  return (
    entriesDiffer(desired?.labels, actual?.labels) || entriesDiffer(desired?.annotations, actual?.annotations)
  );
}

function entriesDiffer(
  desired: Record<string, string> | undefined,
  actual: Record<string, string> | undefined,
): boolean {
  return Object.entries(desired ?? {}).some(([key, value]) => actual?.[key] !== value);
}

/**
 * The metadata to PUT: the object as read (resourceVersion for optimistic concurrency, uid,
 * labels and annotations others added) with ours set on top. managedFields is left out so the
 * API server keeps tracking field ownership itself.
 */
export function mergeManagedMetadata(desired: V1ObjectMeta | undefined, actual: V1ObjectMeta | undefined): V1ObjectMeta {
  const { managedFields: _managedFields, ...kept } = actual ?? {};
  return {
    ...kept,
    labels: { ...actual?.labels, ...desired?.labels },
    annotations: { ...actual?.annotations, ...desired?.annotations },
  };
}
