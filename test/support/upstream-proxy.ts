/**
 * A loopback HTTP proxy in front of the fake upstream, for faults in the middle
 * of a stream:
 * - `cut()` drops every connection in flight, as a provider process that dies
 *   mid-answer does: the bot sees its stream end abruptly (no finish reason, no
 *   `[DONE]`, an unterminated chunked body), not a clean HTTP error;
 * - `holdNext()` lets the next answer through up to its first piece of text and
 *   keeps the rest back until `release()`, so a test can act while an answer is
 *   visibly streaming (a live message with its Stop control) and then let it end.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamProxy {
  /** Use as LLM_API_BASE: `http://127.0.0.1:<port><path>`. */
  readonly url: string;
  /** Where requests go (an origin; the request path is kept). Settable, so the proxy can start before its target. */
  target: string;
  /** Destroys every response in flight; returns how many were cut. */
  cut(): number;
  /** The next response is forwarded up to its first SSE event with answer text; the rest waits for `release()`. */
  holdNext(): void;
  /** Sends everything held back and lets held responses run to their end. */
  release(): void;
  close(): Promise<void>;
}

interface Flight {
  readonly res: ServerResponse;
  upstream: IncomingMessage | undefined;
  /** Holding: text not forwarded yet (`passed` once the first answer text went through). */
  hold: { buffer: string; passed: boolean; ended: boolean } | undefined;
}

/** An SSE event whose JSON carries a non-empty `delta.content`. */
const hasAnswerText = (event: string) => /"content":"[^"]/.test(event);

export async function startUpstreamProxy(opts: { path?: string; target?: string } = {}): Promise<UpstreamProxy> {
  let target = opts.target ?? 'http://127.0.0.1:1';
  let holdNext = false;
  const open = new Set<Flight>();

  /** Forwards whole events of a held flight until the first one with answer text; keeps the rest. */
  const pump = (flight: Flight) => {
    const hold = flight.hold;
    if (!hold) return;
    while (!hold.passed) {
      const end = hold.buffer.indexOf('\n\n');
      if (end < 0) return;
      const event = hold.buffer.slice(0, end + 2);
      hold.buffer = hold.buffer.slice(end + 2);
      flight.res.write(event);
      if (hasAnswerText(event)) hold.passed = true;
    }
  };

  const server = createServer((req, res) => {
    const flight: Flight = { res, upstream: undefined, hold: holdNext ? { buffer: '', passed: false, ended: false } : undefined };
    holdNext = false;
    open.add(flight);
    res.on('close', () => open.delete(flight));
    const targetUrl = new URL(target);
    const forward = request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
      (upstream) => {
        flight.upstream = upstream;
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        // Each piece goes out as soon as it arrives, so the bot sees text before a cut.
        upstream.on('data', (chunk: Buffer) => {
          if (!flight.hold) return res.write(chunk);
          flight.hold.buffer += chunk.toString('utf8');
          pump(flight);
        });
        upstream.on('end', () => {
          if (flight.hold) flight.hold.ended = true;
          else res.end();
        });
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
    holdNext() {
      holdNext = true;
    },
    release() {
      for (const flight of open) {
        const hold = flight.hold;
        if (!hold) continue;
        flight.hold = undefined;
        flight.res.write(hold.buffer);
        if (hold.ended) flight.res.end();
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
