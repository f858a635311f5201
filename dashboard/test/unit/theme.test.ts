import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { THEME } from '../../src/charts/colors';

const styles = new URL('../../src/styles/', import.meta.url);
const css = (name: string) => readFileSync(new URL(name, styles), 'utf8');
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The custom properties declared in board.css `:root`, the theme. */
function rootTokens(): Map<string, string> {
  const root = /:root\s*{([^}]*)}/.exec(css('board.css'))?.[1] ?? '';
  return new Map(
    [...root.matchAll(/--([\w-]+):\s*(#[0-9a-f]{3,8})\s*;/gi)].map((m) => [m[1]!, m[2]!]),
  );
}

describe('theme colours (issue 16)', () => {
  it("keeps the charts' palette equal to the stylesheet's tokens", () => {
    const tokens = rootTokens();
    for (const [key, value] of Object.entries(THEME))
      expect([key, tokens.get(kebab(key))]).toEqual([key, value]);
  });

  it('writes each token colour once, in :root: the rules use var(--…)', () => {
    const files = readdirSync(styles).filter((f) => f.endsWith('.css'));
    const tokens = [...rootTokens().values()].map((v) => v.toLowerCase());
    const stray = files.flatMap((f) =>
      css(f)
        .replace(/:root\s*{[^}]*}/, '')
        .split('\n')
        .flatMap((line, i) =>
          [...line.matchAll(/#[0-9a-f]{3,8}\b/gi)]
            .filter((m) => tokens.includes(m[0].toLowerCase()))
            .map((m) => `${f}:${i + 1} ${m[0]}`),
        ),
    );
    expect(stray).toEqual([]);
  });
});
