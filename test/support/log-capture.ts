/** A pino logger whose lines a test can read: to wait for what the bot reports it did. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface LogCapture {
  readonly logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): LogLine[];
}

export function captureLogs(level = 'info'): LogCapture {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level }, destination), lines: () => [...lines] };
}
