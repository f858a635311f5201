import { prettyFactory } from 'pino-pretty';

/**
 * The demo's console (`npm start`): on a terminal each part's pino JSON line is shown as a
 * readable one (time, level, message, fields); in a pipe, a file or with
 * NODE_ENV=production the JSON lines pass unchanged, for a log collector.
 */
export function consoleFormatter(
  tty = process.stdout.isTTY === true,
  env = process.env.NODE_ENV,
): (line: string) => string {
  if (!tty || env === 'production') return (line) => line;
  const pretty = prettyFactory({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
    singleLine: true,
  });
  return (line) => {
    if (!line.startsWith('{')) return line;
    try {
      return pretty(JSON.parse(line) as object).trimEnd();
    } catch {
      return line; // not JSON after all: as it came
    }
  };
}
