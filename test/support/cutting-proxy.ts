/**
 * A loopback HTTP proxy in front of the fake upstream that can drop every
 * connection in flight, as a provider process that dies mid-answer does: the
 * bot sees its stream end abruptly (no finish reason, no `[DONE]`, an
 * unterminated chunked body), not a clean HTTP error.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CuttingProxy {
  /** Use as LLM_API_BASE: `http://127.0.0.1:<port><path>`. */
  readonly url: string;
  /** Where requests go (an origin; the request path is kept). Settable, so the proxy can start before its target. */
  target: string;
  /** Destroys every response in flight; resolves with how many were cut. */
  cut(): number;
  close(): Promise<void>;
}

export async function startCuttingProxy(opts: { path?: string; target?: string } = {}): Promise<CuttingProxy> {
  let target = opts.target ?? 'http://127.0.0.1:1';
  const open = new Set<{ res: ServerResponse; upstream: IncomingMessage | undefined }>();

  const server = createServer((req, res) => {
    const flight: { res: ServerResponse; upstream: IncomingMessage | undefined } = { res, upstream: undefined };
    open.add(flight);
    res.on('close', () => open.delete(flight));
    const targetUrl = new URL(target);
    const forward = request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
      (upstream) => {
        flight.upstream = upstream;
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        // Each piece goes out as soon as it arrives, so the bot sees text before a cut.
        upstream.on('data', (chunk: Buffer) => res.write(chunk));
        upstream.on('end', () => res.end());
        upstream.on('error', () => res.destroy());
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${opts.path ?? ''}`,
    get target() {
      return target;
    },
    set target(value: string) {
      target = value;
    },
    cut() {
      const flights = [...open];
      for (const flight of flights) {
        flight.res.destroy();
        flight.upstream?.destroy();
      }
      return flights.length;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
