/** A namespaced object in one cluster: what a `name` or `namespace/name` reference resolves to. */
export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export function formatRef(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}

export function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}
