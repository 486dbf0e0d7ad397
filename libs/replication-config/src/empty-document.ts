import type { ConfigIssue } from './model';

/**
 * An empty document (nothing, whitespace, comments, a bare `---`) is what a file looks like while
 * it is truncated or half-written, so it is never read as "no entries": that would delete every
 * mirror. Removing everything has to be said, e.g. `fromHost: []`.
 */
export function emptyDocumentIssue(whatToWrite: string): ConfigIssue {
  return {
    path: '',
    message:
      'the document is empty (or only comments); an empty file is refused because a truncated or half-written ' +
      `file looks the same. To have no entries, say so: ${whatToWrite}`,
  };
}
