// One logger for the whole process (pino): JSON lines for machines, readable lines on a terminal.

import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LogOptions {
  level: string;
  format: 'auto' | 'json' | 'pretty';
}

export function createLogger(opts: LogOptions = { level: 'info', format: 'auto' }): Logger {
  const usePretty = opts.format === 'pretty' || (opts.format === 'auto' && process.stderr.isTTY === true);
  const stream = usePretty
    ? pretty({
        destination: 2,
        sync: true,
        colorize: process.stderr.isTTY === true,
        translateTime: 'HH:MM:ss.l',
      })
    : pino.destination({ dest: 2, sync: true });
  return pino({ level: opts.level, base: { pid: process.pid } }, stream);
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
