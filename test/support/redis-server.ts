/**
 * A real `redis-server` for tests, on 127.0.0.1 and a port nobody else holds.
 * The binary must be installed (`apt-get install -y redis-server`); without it
 * Redis tests fail with a message saying so, unless SKIP_REDIS_TESTS=1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

export const skipRedisTests = process.env.SKIP_REDIS_TESTS === '1';

/** `describe` for suites that need redis-server; skipped only when SKIP_REDIS_TESTS=1. */
export const describeRedis = skipRedisTests ? describe.skip : describe;

const MISSING_BINARY =
  'redis-server is not installed, so the Redis store tests cannot run. ' +
  'Install it (apt-get install -y redis-server) or set SKIP_REDIS_TESTS=1 to skip them.';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM) and resolves when the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, resolving once it answers PING. */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, like a hung server. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
}

/** Asks the kernel for a free port: bind port 0, read it, release it. redis-server refuses `--port 0`. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}

/** One PING over a raw socket: true on +PONG, false if nothing is listening yet. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

function launch(port: number, dataDir: string | undefined): ChildProcess {
  // Persistent: every write is appended and fsynced to dataDir, so a stop and start keeps the data.
  const persistence = dataDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir] : ['--appendonly', 'no', '--dir', tmpdir()];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test run that dies or times out before afterAll must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

/** Starts redis-server on `port` and resolves when PING answers; rejects if it exits first. */
async function launchAndWait(port: number, dataDir: string | undefined): Promise<ChildProcess> {
  const child = launch(port, dataDir);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(MISSING_BINARY) : err),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before answering PING:\n${output}`)));
  });
  exited.catch(() => {});
  const deadline = Date.now() + 10_000;
  // Polling the socket is the synchronisation: the server is ready exactly when PING answers.
  for (;;) {
    const ready = await Promise.race([pingOnce(port), exited]);
    if (ready) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within 10s:\n${output}`);
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 10)), exited]);
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await exited;
}

/**
 * `persistent`: the data survives `stop()` and `start()` (append-only file in a
 * fresh temporary directory), as a production Redis restarted by its supervisor.
 * By default nothing is written to disk and a restart starts empty.
 */
export async function startRedisServer(opts: { persistent?: boolean } = {}): Promise<RedisServer> {
  if (skipRedisTests) throw new Error('SKIP_REDIS_TESTS=1: Redis tests should have been skipped');
  const dataDir = opts.persistent ? mkdtempSync(join(tmpdir(), 'redis-data-')) : undefined;
  let child: ChildProcess | undefined;
  let port = 0;
  // Another process may take the free port between our probe and redis-server's bind: try again.
  for (let attempt = 1; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launchAndWait(port, dataDir);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('Address already in use')) throw err;
    }
  }
  let current: ChildProcess | undefined = child;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (current !== undefined) await stopProcess(current);
      current = undefined;
    },
    async start() {
      if (current !== undefined) return;
      current = await launchAndWait(port, dataDir);
    },
    pause() {
      current?.kill('SIGSTOP');
    },
    resume() {
      current?.kill('SIGCONT');
    },
  };
}
