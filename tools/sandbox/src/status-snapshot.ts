import { reportRows, type StatusReader, type StatusReport } from '@service-replicator/status-view';

/** What the live table shows, and whether the sandbox's --exit-when-synced may exit. */
export interface StatusSnapshot {
  readonly report: StatusReport;
  /** Published mappings (rows of removed mappings left out). */
  readonly configured: number;
  /** At least one mapping, every published mapping in-sync and every config valid. */
  readonly synced: boolean;
}

/**
 * Stricter than the report's `healthy` (in-sync or kept): the sandbox waits for a mirror to be
 * written for every mapping of the sample, and an empty config is not yet "replicated".
 */
export async function readStatusSnapshot(reader: StatusReader): Promise<StatusSnapshot> {
  const report = await reader.read();
  const configured = reportRows(report).filter((row) => row.configured);
  const configsValid = report.tenants.every((tenant) => tenant.config?.valid !== false);
  return {
    report,
    configured: configured.length,
    synced: configured.length > 0 && configured.every((row) => row.state === 'in-sync') && configsValid,
  };
}
