import { BadRequestException, Controller, Get, Header, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import { renderErrorPage, renderStatusPage, type PageOptions } from './status-page';
import type { StatusReport } from './status-report';
import { pageOfReport, type PageInfo } from './status-report-page';
import { Settings } from '@service-replicator/runtime';
import { StatusReader } from './status-reader';

const DEFAULT_REFRESH_SECONDS = 2;
const MAX_REFRESH_SECONDS = 3_600;
/** Rows per page of /status: a page stays a few hundred kB however many mappings there are. */
export const STATUS_PAGE_ROWS = 200;
/** Rows per /status.json answer unless `limit` says otherwise. */
export const DEFAULT_JSON_LIMIT = 1_000;
const MAX_JSON_LIMIT = 10_000;

/** /status.json's page: `nextCursor` is what to pass as `cursor` for the rows after these. */
export type StatusJson = StatusReport & { readonly page: Omit<PageInfo, 'nextOffset'> & { readonly nextCursor?: string } };

/** The parts of Express's response used here (@types/express is not a dependency). */
interface StatusCodeSetter {
  status(code: number): unknown;
}

/** GET /status (the page) and GET /status.json (the same report, for scripts). */
@Controller()
export class StatusController {
  constructor(
    private readonly reader: StatusReader,
    private readonly settings: Settings,
  ) {}

  @Get('status')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async page(
    @Query('refresh') refresh: string | undefined,
    @Query('page') page: string | undefined,
    @Res({ passthrough: true }) response: StatusCodeSetter,
  ): Promise<string> {
    const options: PageOptions = { refreshSeconds: refreshSeconds(refresh), traceUiUrl: this.settings.TRACE_UI_URL };
    try {
      const number = pageNumber(page);
      return renderStatusPage(pageOfReport(await this.reader.read(), (number - 1) * STATUS_PAGE_ROWS, STATUS_PAGE_ROWS), options);
    } catch (error) {
      // Still a page, still reloading: it comes back by itself once Redis does.
      response.status(503);
      return renderErrorPage(errorText(error), options);
    }
  }

  /** `?limit=` rows (default 1,000), problems first; `?cursor=` the page's `nextCursor` for the next rows. */
  @Get('status.json')
  @Header('Cache-Control', 'no-store')
  async json(@Query('limit') limit: string | undefined, @Query('cursor') cursor: string | undefined): Promise<StatusJson> {
    const rows = wholeNumber(limit, 'limit', DEFAULT_JSON_LIMIT, 1, MAX_JSON_LIMIT);
    const offset = wholeNumber(cursor, 'cursor', 0, 0, Number.MAX_SAFE_INTEGER);
    let report: StatusReport;
    try {
      report = await this.reader.read();
    } catch (error) {
      throw new ServiceUnavailableException(`cannot read the replication status: ${errorText(error)}`);
    }
    const { page, ...paged } = pageOfReport(report, offset, rows);
    const { nextOffset, ...where } = page;
    return { ...paged, page: { ...where, ...(nextOffset === undefined ? {} : { nextCursor: String(nextOffset) }) } };
  }
}

/** `?page=` counts from 1; anything unreadable is the first page. */
function pageNumber(query: string | undefined): number {
  const value = Number(query);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

/** A whole number query parameter within bounds, or a 400 that says which and why. */
function wholeNumber(query: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (query === undefined || query === '') return fallback;
  const value = Number(query);
  if (!/^\d+$/.test(query) || value < min || value > max) {
    throw new BadRequestException(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(query.slice(0, 40))}`);
  }
  return value;
}

/** `?refresh=0` stops the reloading; anything unreadable falls back to the default. */
function refreshSeconds(query: string | undefined): number {
  const value = Number(query);
  if (query === undefined || query === '' || !Number.isInteger(value) || value < 0) return DEFAULT_REFRESH_SECONDS;
  return Math.min(value, MAX_REFRESH_SECONDS);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
