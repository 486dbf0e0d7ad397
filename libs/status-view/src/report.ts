// The status report without the web page (`@service-replicator/status-view/report`): what the CLI
// and the sandbox's table need, without loading Nest, Express or Bull Board.
export { StatusReader } from './status-reader';
export {
  buildStatusReport,
  NOT_RECONCILED,
  reportRows,
  STATES,
  type QueueSummary,
  type StatusInput,
  type StatusReport,
  type StatusRow,
  type TenantConfigState,
  type TenantReport,
} from './status-report';
export { pageOfReport, type PageInfo, type PagedStatusReport } from './status-report-page';
export { renderTable, squeeze, type TableOptions } from './status-table';
export { age, clockTime } from './time-format';
