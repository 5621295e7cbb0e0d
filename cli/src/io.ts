// What a CLI command may touch: passed in, so tests drive commands without a real process.
import type { Readable } from 'node:stream';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: Readable;
  /** Aborted on SIGINT/SIGTERM: daemons stop cleanly and return. */
  signal: AbortSignal;
  /** stdout is a terminal a person reads (not a log file, a CI job log or the journal). */
  stdoutIsTerminal?: boolean;
}

export function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
