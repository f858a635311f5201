import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UpdateStep } from '@takt/protocol';

/**
 * The files the agent (as `takt`) and the root updater hand each other in the gateway's
 * state directory (docs/decisions.md "Issue 25 — signed agent updates (gateway)"). Nothing
 * here is under `<stateDir>/<gateway>/`, where the disk queue lives.
 */
export function updateFiles(stateDir: string) {
  const updates = join(stateDir, 'updates');
  return {
    dir: updates,
    archive: (sha256: string) => join(updates, `${sha256}.tar.gz`),
    /** Written by the agent once a package is verified; the systemd path unit watches it. */
    request: join(updates, 'request.json'),
    /** Written by the updater when it is done: the steps the next agent reports. */
    outcome: join(updates, 'outcome.json'),
    /** The last update id whose final step was reported (retained commands come back). */
    finished: join(updates, 'finished.json'),
    /** Written by the agent once connected with its status published. */
    online: join(stateDir, 'online.json'),
  };
}
export type UpdateFiles = ReturnType<typeof updateFiles>;

export interface UpdateRequest {
  id: number;
  version: string;
  arch: string;
  sha256: string;
  size: number;
  signature: string;
  confirmWithinS: number;
  /** When the agent staged it (ms): a request nobody picks up is given up on. */
  stagedAt: number;
}

export interface OutcomeStep {
  step: UpdateStep;
  ok: boolean;
  error?: string;
  ts: number;
}

export interface UpdateOutcome {
  id: number;
  version: string;
  /** The version that ran before (`current` when the updater started). */
  from: string;
  /**
   * The agent version that reports these steps: the new one after `online`, the old one
   * otherwise, so a new agent that is still running at a rollback does not take them.
   */
  reporter: string;
  steps: OutcomeStep[];
}

export interface OnlineMark {
  version: string;
  pid: number;
  ts: number;
}

export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a torn file is as good as none; the writer renames into place
  }
}

/** Write-then-rename: a reader sees the old file or the new one, never half of one. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value) + '\n');
  renameSync(tmp, file);
}

export function remove(file: string): void {
  rmSync(file, { force: true });
}
