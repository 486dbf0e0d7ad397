import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Pair, type YAMLMap } from 'yaml';
import { formatPath, type ConfigPath } from './config-path';
import { duplicateKeyOffsets } from './duplicate-keys';
import type { ConfigIssue } from './model';

const MAX_ALIASES = 100;
const MAX_MESSAGE_LENGTH = 300;

/** A parsed YAML text: its plain data, plus the lines that issues about it point at. */
export class YamlSource {
  private constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
    /** The document as plain JavaScript data; null for an empty document. */
    readonly data: unknown,
  ) {}

  private readonly pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

  /** Syntax errors come back as issues (path '' = the whole document), never as throws. */
  static parse(text: string): { source?: YamlSource; issues: ConfigIssue[] } {
    const lineCounter = new LineCounter();
    try {
      const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
      const errors = document.errors.map((error) => ({ offset: error.pos[0], message: syntaxMessage(error.code, error.message) }));
      if (errors.length === 0) {
        errors.push(...duplicateKeyOffsets(document.contents).map((offset) => ({ offset, message: 'Map keys must be unique' })));
      }
      if (errors.length > 0) {
        const last = lastLine(text);
        return { issues: errors.map(({ offset, message }) => ({ path: '', message, line: Math.min(lineCounter.linePos(offset).line, last) })) };
      }
      return { source: new YamlSource(document, lineCounter, document.toJS({ maxAliasCount: MAX_ALIASES })), issues: [] };
    } catch (error) {
      // toJS refuses alias bombs ("billion laughs") by throwing; nesting too deep overflows the stack.
      return { issues: [{ path: '', message: syntaxMessage(undefined, error instanceof Error ? error.message : String(error)) }] };
    }
  }

  issue(path: ConfigPath, message: string): ConfigIssue {
    const line = this.lineOf(path);
    return line === undefined ? { path: formatPath(path), message } : { path: formatPath(path), message, line };
  }

  /**
   * The 1-based line of the node at `path` (a mapping entry's key line), or of its nearest
   * existing ancestor when the node itself is missing, e.g. an entry that lacks `from`. A missing
   * top-level key gets no line: pointing at line 1 would not help anyone find it.
   */
  lineOf(path: ConfigPath): number | undefined {
    let node: unknown = this.document.contents;
    if (path.length === 0) return this.lineAt(node);
    let line: number | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.document);
      let found: unknown;
      if (isMap(node)) {
        const pair = this.pairsByKey(node).get(String(segment));
        found = pair?.value;
        line = this.lineAt(pair?.key) ?? line;
      } else if (isSeq(node) && typeof segment === 'number') {
        found = node.items[segment];
        line = this.lineAt(found) ?? line;
      }
      if (found === undefined) break;
      node = found;
    }
    return line;
  }

  /** A mapping's entries by key, built once: a lookup per issue must not scan 10,000 keys each time. */
  private pairsByKey(map: YAMLMap): Map<string, Pair> {
    let index = this.pairIndexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && !index.has(key)) index.set(key, pair);
      }
      this.pairIndexes.set(map, index);
    }
    return index;
  }

  private lineAt(node: unknown): number | undefined {
    const range = isScalar(node) || isMap(node) || isSeq(node) || isAlias(node) ? node.range : undefined;
    return range ? this.lineCounter.linePos(range[0]).line : undefined;
  }
}

/** The parser's messages may quote the input; a message is a sentence, not a copy of the file. */
function syntaxMessage(code: string | undefined, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'contains more than one YAML document; expected one';
  if (message.includes('Maximum call stack size exceeded')) return 'is nested too deeply to be read';
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH)}… (${message.length} characters)`;
}

/** Errors found at the end of the input (an unclosed quote) point at its last line, not past it. */
function lastLine(text: string): number {
  const lines = text.split('\n').length;
  return Math.max(1, text.endsWith('\n') ? lines - 1 : lines);
}
