import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART } from './helm-chart';

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  definitions?: Record<string, Schema>;
};

export function chartSchema(): Schema {
  return JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Schema;
}

export function chartDefaults(): Record<string, unknown> {
  return parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
}

export interface SchemaCoverage {
  /** Keys of the values that no `properties` entry describes, or that an empty schema describes. */
  readonly undescribed: string[];
  /** JSON pointers (as helm prints them) of the objects whose keys the schema lists one by one. */
  readonly closedObjects: string[];
  /** Objects with keys that the schema takes whole (Kubernetes objects, label maps, a vcluster.yaml): not walked into. */
  readonly passedThrough: string[];
}

/**
 * Walks values with the schema beside them: every key must have its own `properties` entry
 * with something to check (a type, an enum, a reference). The walk goes into an object only
 * where the schema lists its keys and allows no others; objects the schema takes whole or only
 * partly checks (resources, a topology spread constraint, a tenant's vcluster.yaml, label maps)
 * are Kubernetes' or the user's, not the chart's.
 */
export function schemaCoverage(schema: Schema, values: unknown): SchemaCoverage {
  const undescribed: string[] = [];
  const closedObjects: string[] = [];
  const passedThrough: string[] = [];
  const walk = (value: unknown, node: Schema, pointer: string) => {
    const resolved = resolve(schema, node);
    if (Array.isArray(value)) {
      if (resolved.items) value.forEach((item, i) => walk(item, resolved.items as Schema, `${pointer}/${i}`));
      return;
    }
    if (!isObject(value)) return;
    if (!resolved.properties || resolved.additionalProperties !== false) {
      if (Object.keys(value).length > 0) passedThrough.push(pointer);
      return;
    }
    closedObjects.push(pointer);
    for (const [key, child] of Object.entries(value)) {
      const described = resolved.properties[key];
      if (!described || isEmpty(resolve(schema, described))) undescribed.push(`${pointer}/${key}`);
      else walk(child, described, `${pointer}/${key}`);
    }
  };
  walk(values, schema, '');
  return { undescribed, closedObjects, passedThrough };
}

/** Values as helm coalesces them: objects merged key by key, anything else (lists too) replaced. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** A copy of values with `key: true` added to the object at each pointer. */
export function withKeyAt<T extends object>(values: T, pointers: readonly string[], key: string): T {
  const copy = structuredClone(values);
  for (const pointer of pointers) {
    const target = pointer.split('/').slice(1).reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], copy);
    (target as Record<string, unknown>)[key] = true;
  }
  return copy;
}

function resolve(root: Schema, node: Schema): Schema {
  if (!node.$ref) return node;
  const name = /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
  const target = name ? root.definitions?.[name] : undefined;
  if (!target) throw new Error(`unresolvable $ref ${node.$ref}`);
  return resolve(root, target);
}

function isEmpty(node: Schema): boolean {
  return node.type === undefined && node.enum === undefined && node.oneOf === undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
