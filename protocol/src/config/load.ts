// eslint-disable-next-line no-restricted-imports -- the one file protocol reads: loadYamlConfig, so a ConfigError names the file (docs/architecture.md "Conventions" 7).
import { readFileSync } from 'node:fs';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

/** A config file that cannot be used: names the file, the line, the path inside it and what is wrong. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_ERR_INVALID';
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${file}: invalid config\n` +
        problems
          .map((p) => `  ${file}:${p.line ?? '?'}: ${p.path || '(top level)'}: ${p.message}`)
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export interface ConfigProblem {
  path: string;
  line: number | undefined;
  message: string;
}

type PathKey = string | number;

function lineOf(doc: Document, counter: LineCounter, path: readonly PathKey[]): number | undefined {
  // Walk up until a node exists: a missing field is reported at its parent's line.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    if (depth === 0 && doc.contents?.range) return counter.linePos(doc.contents.range[0]).line;
  }
  return undefined;
}

function keyLine(doc: Document, counter: LineCounter, path: readonly PathKey[], key: string) {
  const parent = path.length ? doc.getIn(path, true) : doc.contents;
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isNode(item.key) && String(item.key) === key);
    if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
  }
  return lineOf(doc, counter, path);
}

/** Parse YAML text and validate it with a schema; defaults come from the schema; the result is frozen. */
export function parseYamlConfig<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): Readonly<z.output<S>> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        line: counter.linePos(e.pos[0]).line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const problems: ConfigProblem[] = [];
    for (const issue of result.error.issues) {
      const path = issue.path.filter(
        (k): k is PathKey => typeof k === 'string' || typeof k === 'number',
      );
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push({
            path: [...path, key].join('.'),
            line: keyLine(doc, counter, path, key),
            message: 'unknown key (check the spelling against the config reference)',
          });
        }
        continue;
      }
      problems.push({
        path: path.join('.'),
        line: lineOf(doc, counter, path),
        message: issue.message,
      });
    }
    throw new ConfigError(file, problems);
  }
  return deepFreeze(result.data);
}

export function loadYamlConfig<S extends z.ZodType>(
  file: string,
  schema: S,
): Readonly<z.output<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      { path: '', line: undefined, message: `cannot read file: ${(error as Error).message}` },
    ]);
  }
  return parseYamlConfig(file, text, schema);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
