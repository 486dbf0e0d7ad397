export {
  DIRECTION_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SOURCE_ANNOTATION,
  TENANT_LABEL,
  isOwned,
  ownershipAnnotations,
  ownershipLabels,
  sourceAnnotationValue,
  type OwnerKey,
} from './ownership';
export {
  RESERVED_SELECTOR_KEYS,
  VCLUSTER_MANAGED_BY_LABEL,
  VCLUSTER_NAMESPACE_LABEL,
  hostLabelKey,
  isTranslatedLabelKey,
  safeConcatName,
  translateSelector,
} from './selector-translation';
export { serviceShape, type ServiceShape } from './service-shape';
export { buildTenantService } from './tenant-service.builder';
export { buildTenantEndpointSlices } from './tenant-endpoint-slices.builder';
export { buildHostService } from './host-service.builder';
export { buildHostEndpointSlices } from './host-endpoint-slices.builder';
export {
  ENDPOINT_SLICE_MANAGED_BY_LABEL,
  ENDPOINT_SLICE_MANAGED_BY_VALUE,
  MAX_ENDPOINTS_PER_SLICE,
  SERVICE_NAME_LABEL,
} from './endpoint-slice.factory';
export { mergeForUpdate, needsUpdate, requiresRecreate } from './service-drift';
export {
  endpointSliceNeedsUpdate,
  endpointSliceRequiresRecreate,
  mergeEndpointSliceForUpdate,
} from './endpoint-slice-drift';
export {
  describeAction,
  type Action,
  type CreateAction,
  type DeleteAction,
  type ObjectKind,
  type UpdateAction,
} from './reconcile-actions';
export {
  planReconcile,
  type PlanState,
  type ReconcileInput,
  type ReconcileKey,
  type ReconcilePlan,
} from './reconcile-plan';
export { effectiveToHostMode } from './to-host-mode';
export {
  endpointSliceSnapshot,
  endpointsSnapshot,
  serviceSnapshot,
  sourceFingerprint,
  sourceSlicesMatter,
  targetEndpointsMatter,
} from './snapshot';
export {
  buildMirrorEndpoints,
  ENDPOINTS_CONTROLLER,
  ENDPOINTS_MANAGED_BY_LABEL,
  ENDPOINTS_MANAGED_BY_VALUE,
  SKIP_MIRROR_LABEL,
} from './mirror-endpoints.builder';
export { isVClusterMirror, VCLUSTER_CONTROLLED_BY_LABEL, VCLUSTER_CONTROLLED_BY_VALUE } from './vcluster-mirror';
export { ownedBy } from './endpoint-slice.factory';
export { endpointAddresses, keepTenantPodAddresses, tenantPodIPs, tenantPodSelector } from './tenant-pod-addresses';
