export { escapeHtml, html, Html } from './html';
export { QUEUES_PATH } from './queue-board';
export { renderErrorPage, renderStatusPage, type PageOptions } from './status-page';
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
export { StatusViewModule } from './status-view.module';
export { age, clockTime } from './time-format';
