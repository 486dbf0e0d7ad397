import type { ConfigIssue } from './model';

/** One line for logs and status messages: `path: message (line 7)`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? 'document' : issue.path;
  return issue.line === undefined ? `${where}: ${issue.message}` : `${where}: ${issue.message} (line ${issue.line})`;
}

/** Issues in document order, so they read top to bottom; those without a line come last. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
