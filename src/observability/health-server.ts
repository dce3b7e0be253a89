/**
 * The operator's HTTP endpoint (HEALTH_PORT): `GET /healthz` for the
 * orchestrator's health check and `GET /metrics` for Prometheus. Plain
 * node:http: two routes do not earn a framework.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotMetrics } from './metrics.ts';

export interface Readiness {
  readonly ready: boolean;
  /** Each dependency by name (e.g. `store`, `discord`), true when it answers. */
  readonly checks: Record<string, boolean>;
}

export interface HealthServerOptions {
  readonly port: number;
  /** Default `0.0.0.0`, so a container's health check and Prometheus can reach it. */
  readonly host?: string;
  readonly metrics: BotMetrics;
  /** Asked at each /healthz; a rejection counts as not ready. */
  readonly readiness: () => Promise<Readiness>;
}

export interface HealthServer {
  /** `http://host:port`, with the port the system assigned when asked for 0. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((error: unknown) => {
      // Only a failed write can land here; the client has gone or will time out.
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ status: 'error' }));
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });
  // A scrape or probe that keeps its connection open must not hold up shutdown.
  server.keepAliveTimeout = 5_000;
  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: HealthServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (reading && path === '/healthz') {
    let readiness: Readiness;
    try {
      readiness = await opts.readiness();
    } catch {
      readiness = { ready: false, checks: {} };
    }
    const body = JSON.stringify({ status: readiness.ready ? 'ok' : 'unavailable', checks: readiness.checks });
    return send(res, readiness.ready ? 200 : 503, 'application/json', body, { 'cache-control': 'no-store' });
  }
  if (reading && path === '/metrics') {
    const { registry } = opts.metrics;
    return send(res, 200, registry.contentType, await registry.metrics());
  }
  send(res, 404, 'application/json', JSON.stringify({ status: 'not found' }));
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
