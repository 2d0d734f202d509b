// What every command shares: the effective configuration (file + environment + flags), the logger,
// and the way failures reach the operator (a clear message and a non-zero exit, never a stack trace
// for a mistake the operator can fix).

import type { Command } from 'commander';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../log/logger.js';

/** Exit codes: 1 = the job failed, 2 = bad usage or configuration. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Loads the configuration for a command. `flagFields` maps the command's option names (commander's
 * camelCase) to config fields, e.g. { listen: 'controller.listen' }.
 */
export function commandConfig(cmd: Command, flagFields: Record<string, string> = {}): LoadedConfig {
  const opts = cmd.optsWithGlobals<Record<string, unknown>>();
  const flags: Record<string, unknown> = {};
  for (const [opt, field] of Object.entries(flagFields)) {
    if (opts[opt] !== undefined) flags[field] = opts[opt];
  }
  if (opts.logLevel !== undefined) flags['log.level'] = opts.logLevel;
  return loadConfig({ ...(typeof opts.config === 'string' ? { file: opts.config } : {}), flags });
}

export function commandLogger(loaded: LoadedConfig): Logger {
  return createLogger(loaded.config.log);
}

/** Prints a failure the way an operator needs it and sets the exit code. */
export function reportFailure(err: unknown): void {
  if (err instanceof ConfigError) {
    process.stderr.write(
      `vigil: invalid configuration:\n${err.issues.length ? err.message.replace(/^/gm, '  ') : ''}\n`,
    );
    process.exitCode = EXIT_USAGE;
  } else if (err instanceof UsageError) {
    process.stderr.write(`vigil: ${err.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    const e = err as Error;
    process.stderr.write(`vigil: ${e?.message ?? String(err)}\n`);
    if (process.env.VIGIL_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}

/** Wraps a command action so its failures are reported, not thrown. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      reportFailure(err);
    }
  };
}

/** Resolves with the first SIGINT or SIGTERM: how the long-running commands learn to stop. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
