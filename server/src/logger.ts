// Structured logs: one JSON object per line on stderr; a child logger per subsystem.
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(subsystem: string): Logger;
}

export function createLogger(subsystem: string, write: (line: string) => void = (l) => process.stderr.write(l), quiet = false): Logger {
  const emit = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (quiet && level === 'info') return;
    write(JSON.stringify({ time: new Date().toISOString(), level, subsystem, msg, ...fields }) + '\n');
  };
  return {
    info: emit('info'), warn: emit('warn'), error: emit('error'),
    child: (name: string) => createLogger(`${subsystem}.${name}`, write, quiet),
  };
}
