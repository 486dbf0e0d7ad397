import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import type { ConfigPath } from './config-path';
import { closestKey } from './key-suggestion';
import type { ConfigIssue } from './model';
import type { YamlSource } from './yaml-source';

/** Constraints that say "this is not even the right kind of value": its children are noise then. */
const TYPE_CONSTRAINTS = new Set(['isArray', 'isObject', 'nestedValidation']);

/**
 * Validates plain data against a DTO class and reports each problem at its path under `prefix`.
 * `strict` makes unknown keys issues; leave it off where the document may hold keys of the real
 * vCluster schema that this project does not use.
 */
export function validateShape(
  dto: ClassConstructor<object>,
  data: Record<string, unknown>,
  prefix: ConfigPath,
  source: YamlSource,
  { strict }: { strict: boolean },
): ConfigIssue[] {
  // class-transformer throws on some of these keys (a nested `constructor`), so they are refused first.
  const inherited = prototypeKeyIssues(data, prefix, source);
  if (inherited.length > 0) return inherited;
  let errors: ValidationError[];
  try {
    errors = validateSync(plainToInstance(dto, data), { whitelist: strict, forbidNonWhitelisted: strict });
  } catch (error) {
    return [source.issue(prefix, `cannot be checked: ${error instanceof Error ? error.message : String(error)}`)];
  }
  const issues: ConfigIssue[] = [];
  for (const error of errors) collectIssues(error, prefix, source, issues);
  return issues;
}

/** Keys that class-validator's whitelist lets through because plain objects inherit them. */
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * `constructor`, `toString`, `__proto__` and the like are not keys of any of our DTOs, nor of
 * vCluster's schema, so they are unknown keys wherever they are, in strict and loose parts alike.
 * The whole subtree is searched, iteratively: it may be deep.
 */
function prototypeKeyIssues(data: unknown, prefix: ConfigPath, source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const pending: { value: unknown; path: ConfigPath }[] = [{ value: data, path: prefix }];
  while (pending.length > 0) {
    const { value, path } = pending.pop() as { value: unknown; path: ConfigPath };
    if (Array.isArray(value)) value.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (PROTOTYPE_KEYS.has(key)) issues.push(source.issue([...path, key], 'unknown key'));
        else pending.push({ value: child, path: [...path, key] });
      }
    }
  }
  return issues;
}

function collectIssues(error: ValidationError, parent: ConfigPath, source: YamlSource, issues: ConfigIssue[]): void {
  const path = [...parent, Array.isArray(error.target) ? Number(error.property) : error.property];
  const constraints = Object.entries(error.constraints ?? {});
  const failedType = constraints.some(([name]) => TYPE_CONSTRAINTS.has(name));
  // "nestedValidation" only adds "not an object" to a type error that already says so.
  const messages = constraints
    .filter(([name]) => name !== 'nestedValidation' || constraints.length === 1)
    .map(([name, message]) => (name === 'whitelistValidation' ? unknownKeyMessage(error) : message));
  if (messages.length > 0) issues.push(source.issue(path, messages.join('; ')));
  if (failedType) return;
  for (const child of error.children ?? []) collectIssues(child, path, source, issues);
}

function unknownKeyMessage(error: ValidationError): string {
  const known = knownKeys(error.target);
  const suggestion = closestKey(error.property, known);
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return `unknown key; expected one of ${known.join(', ')}${hint}`;
}

function knownKeys(target: object | undefined): string[] {
  if (target === undefined) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}
