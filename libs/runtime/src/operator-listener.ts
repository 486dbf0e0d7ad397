import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Settings } from './settings';

/** Express matches routes case-insensitively, so this must too, or `/HEALTH/..` would slip past. */
const HEALTH_PATH = /^\/health(?:[/?]|$)/i;

/** The part of the Express app used here (@types/express is not a dependency). */
interface ExpressApp extends RequestListener {
  use(handler: (request: IncomingMessage, response: ServerResponse, next: () => void) => void): unknown;
}

/**
 * With OPERATOR_HTTP_PORT set, the app's one Express app is served by two listeners: HTTP_PORT
 * answers only /health/* (kubelet probes), the operator port everything else (status page, Bull
 * Board, /metrics). Each refuses the other's paths with the 404 an unknown path gets, so the
 * operator surface can be shut off by a NetworkPolicy, or bound to loopback, without touching
 * the probes. The routes themselves stay where their modules put them.
 */
@Injectable()
export class OperatorListener implements OnApplicationShutdown {
  private readonly arrivedHere = new WeakSet<IncomingMessage>();
  private server?: Server;

  constructor(
    private readonly settings: Settings,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Must run before Nest registers its routes (before init/listen), so it sees every request first. */
  routeBySurface(): void {
    if (this.settings.OPERATOR_HTTP_PORT === undefined) return;
    this.express().use((request, response, next) => {
      const forHealth = HEALTH_PATH.test(request.url ?? '/');
      if (forHealth !== this.arrivedHere.has(request)) return next();
      response.statusCode = 404;
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.end(JSON.stringify({ message: `Cannot ${request.method} ${request.url}`, error: 'Not Found', statusCode: 404 }));
    });
  }

  /** Starts the operator listener, if configured; its address (`http://host:port`) for the ready line. */
  async listen(): Promise<string | undefined> {
    const port = this.settings.OPERATOR_HTTP_PORT;
    if (port === undefined) return undefined;
    const host = this.settings.OPERATOR_HTTP_HOST ?? this.settings.HTTP_HOST;
    const express = this.express();
    const server = createServer((request, response) => {
      this.arrivedHere.add(request);
      express(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  /** Nest closes its own listener on close(); this one is ours. Idle keep-alive scrapes must not hold it open. */
  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }

  private express(): ExpressApp {
    return this.adapterHost.httpAdapter.getInstance<ExpressApp>();
  }
}
