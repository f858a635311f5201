/**
 * A progress bar for work that takes more than two seconds: one redrawn line on a terminal,
 * a plain line per 10 % when the output is a file or a pipe (a CI log stays readable).
 */
export interface Progress {
  update(done: number): void;
  finish(note?: string): void;
}

export function progressBar(
  label: string,
  total: number,
  out: NodeJS.WriteStream = process.stdout,
  now: () => number = Date.now,
): Progress {
  const started = now();
  const tty = out.isTTY === true;
  let lastTenth = -1;
  let lastDraw = 0;
  const seconds = () => ((now() - started) / 1000).toFixed(1);
  return {
    update(done) {
      const share = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        if (now() - lastDraw < 100 && share < 1) return;
        lastDraw = now();
        const width = 30;
        const filled = Math.round(share * width);
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        out.write(`\r${label} ${bar} ${Math.floor(share * 100)} %  ${seconds()} s `);
        return;
      }
      const tenth = Math.floor(share * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`${label}: ${tenth * 10} % (${done}/${total}, ${seconds()} s)\n`);
      }
    },
    finish(note) {
      this.update(total);
      const tail = `${label}: done in ${seconds()} s${note ? ` — ${note}` : ''}`;
      out.write(tty ? `\r\x1b[2K${tail}\n` : `${tail}\n`);
    },
  };
}
