// A logger with pino's call shape that keeps every line, so tests can assert on what was logged.
import type { Logger } from '../../src/kube/logger.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg?: string;
  [field: string]: unknown;
}

export interface RecordingLogger extends Logger {
  lines: LogLine[];
}

export function recordingLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): RecordingLogger {
  const at = (level: LogLine['level']) => (obj: object, msg?: string): void => {
    lines.push({ ...bindings, ...obj, level, msg });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}
