export * from './report';
export { escapeHtml, html, Html } from './html';
export { QUEUES_PATH } from './queue-board';
export { renderErrorPage, renderStatusPage, type PageOptions } from './status-page';
export { StatusViewModule } from './status-view.module';
