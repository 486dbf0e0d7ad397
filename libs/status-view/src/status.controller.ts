import { Controller, Get, Header, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import { renderErrorPage, renderStatusPage, type PageOptions } from './status-page';
import type { StatusReport } from './status-report';
import { StatusViewService } from './status-view.service';

const DEFAULT_REFRESH_SECONDS = 2;
const MAX_REFRESH_SECONDS = 3_600;

/** The parts of Express's response used here (@types/express is not a dependency). */
interface StatusCodeSetter {
  status(code: number): unknown;
}

/** GET /status (the page) and GET /status.json (the same report, for scripts). */
@Controller()
export class StatusController {
  constructor(private readonly view: StatusViewService) {}

  @Get('status')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async page(@Query('refresh') refresh: string | undefined, @Res({ passthrough: true }) response: StatusCodeSetter): Promise<string> {
    const options: PageOptions = { refreshSeconds: refreshSeconds(refresh), traceUiUrl: this.view.settings.TRACE_UI_URL };
    try {
      return renderStatusPage(await this.view.reader.read(), options);
    } catch (error) {
      // Still a page, still reloading: it comes back by itself once Redis does.
      response.status(503);
      return renderErrorPage(errorText(error), options);
    }
  }

  @Get('status.json')
  @Header('Cache-Control', 'no-store')
  async json(): Promise<StatusReport> {
    try {
      return await this.view.reader.read();
    } catch (error) {
      throw new ServiceUnavailableException(`cannot read the replication status: ${errorText(error)}`);
    }
  }
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
