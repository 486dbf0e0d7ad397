import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import type { ConfigPath } from './config-path';
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
  const errors = validateSync(plainToInstance(dto, data), { whitelist: strict, forbidNonWhitelisted: strict });
  const issues: ConfigIssue[] = [];
  for (const error of errors) collectIssues(error, prefix, source, issues);
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
  const suggestion = closest(error.property, known);
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return `unknown key; expected one of ${known.join(', ')}${hint}`;
}

function knownKeys(target: object | undefined): string[] {
  if (target === undefined) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

/** The known key a typo most likely meant: a few edits away (ignoring case), fewer for short keys. */
function closest(key: string, known: readonly string[]): string | undefined {
  const scored = known.map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }));
  const best = scored.sort((a, b) => a.distance - b.distance)[0];
  return best !== undefined && best.distance <= Math.min(2, Math.floor(best.candidate.length / 2)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
