import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { formatPath, type ConfigPath } from './config-path';
import type { ConfigIssue } from './model';

const MAX_ALIASES = 100;

/** A parsed YAML text: its plain data, plus the lines that issues about it point at. */
export class YamlSource {
  private constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
    /** The document as plain JavaScript data; null for an empty document. */
    readonly data: unknown,
  ) {}

  /** Syntax errors come back as issues (path '' = the whole document), never as throws. */
  static parse(text: string): { source?: YamlSource; issues: ConfigIssue[] } {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (document.errors.length > 0) {
      const issues = document.errors.map((error) => ({
        path: '',
        message: error.code === 'MULTIPLE_DOCS' ? 'contains more than one YAML document; expected one' : error.message,
        line: Math.min(lineCounter.linePos(error.pos[0]).line, lastLine(text)),
      }));
      return { issues };
    }
    try {
      return { source: new YamlSource(document, lineCounter, document.toJS({ maxAliasCount: MAX_ALIASES })), issues: [] };
    } catch (error) {
      // toJS refuses alias bombs ("billion laughs") by throwing.
      return { issues: [{ path: '', message: error instanceof Error ? error.message : String(error) }] };
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
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
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

  private lineAt(node: unknown): number | undefined {
    const range = isScalar(node) || isMap(node) || isSeq(node) || isAlias(node) ? node.range : undefined;
    return range ? this.lineCounter.linePos(range[0]).line : undefined;
  }
}

/** Errors found at the end of the input (an unclosed quote) point at its last line, not past it. */
function lastLine(text: string): number {
  const lines = text.split('\n').length;
  return Math.max(1, text.endsWith('\n') ? lines - 1 : lines);
}
