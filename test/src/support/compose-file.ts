import { readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { repoRoot } from '@service-replicator/control-plane-harness';

export interface ComposeService {
  readonly image?: string;
  readonly build?: { context: string; dockerfile?: string };
  readonly command?: string[];
  readonly depends_on?: Record<string, { condition: string }>;
  readonly environment?: Record<string, string>;
  readonly volumes?: string[];
  readonly ports?: string[];
  readonly [key: string]: unknown;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** docker-compose.yml as Compose reads it: YAML merge keys (`<<: *app`) applied. */
export function readComposeFile(path = join(repoRoot, 'docker-compose.yml')): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * The Compose specification's JSON schema, as the dclint package (a Compose linter, a pinned dev
 * dependency) ships it: no npm package publishes the compose-spec repository's schema itself.
 * Its `$schema` names draft-07 by an https address Ajv does not know; draft-07 is Ajv's default,
 * so it is dropped. `strict: false`: the schema uses union types, which Ajv's strict mode rejects.
 */
export function composeSchemaErrors(compose: unknown): string[] {
  const schemaPath = join(repoRoot, 'node_modules/dclint/schemas/compose.schema.json');
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (validate(compose)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

/** The host ports a `ports:` entry publishes ("127.0.0.1:8084-8087:8080" gives 8084..8087). */
export function publishedPorts(entry: string): { address: string; ports: number[] } {
  const parts = entry.split(':');
  if (parts.length < 3) throw new Error(`"${entry}": publish on an explicit address (127.0.0.1:host:container)`);
  const [address, published] = parts;
  const [first, last = first] = published.split('-').map(Number);
  return { address, ports: Array.from({ length: last - first + 1 }, (_, i) => first + i) };
}

/** A short-syntax volume entry: `source:target[:mode]`. */
export function volumeMount(entry: string): { source: string; target: string; mode?: string } {
  const [source, target, mode] = entry.split(':');
  return { source, target, mode };
}

/** The repository path a container path is bound to through the service's `./...` bind mounts. */
export function hostPathOf(service: ComposeService, containerPath: string): string | undefined {
  for (const mount of (service.volumes ?? []).map(volumeMount)) {
    if (!mount.source.startsWith('./')) continue;
    const inside = posix.relative(mount.target, containerPath);
    if (!inside.startsWith('..')) return join(repoRoot, mount.source, inside);
  }
  return undefined;
}

export function repoRelative(path: string): string {
  return relative(repoRoot, path);
}
