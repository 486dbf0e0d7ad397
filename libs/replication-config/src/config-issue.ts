import type { ConfigIssue } from './model';

/** Issues reported for one document at most: 10,000 bad entries need not give 10,000 lines to read. */
export const MAX_REPORTED_ISSUES = 100;

/** One line for logs and status messages: `path: message (line 7)`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? 'document' : issue.path;
  return issue.line === undefined ? `${where}: ${issue.message}` : `${where}: ${issue.message} (line ${issue.line})`;
}

/** Issues in document order, so they read top to bottom; those without a line come last. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

/** sortIssues, keeping the first MAX_REPORTED_ISSUES and saying how many more there were. */
export function reportedIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const sorted = sortIssues(issues);
  if (sorted.length <= MAX_REPORTED_ISSUES) return sorted;
  const more = sorted.length - MAX_REPORTED_ISSUES;
  return [...sorted.slice(0, MAX_REPORTED_ISSUES), { path: '', message: `and ${more} more issue${more === 1 ? '' : 's'} not listed` }];
}
