import {
  isoTimeSchema,
  liveSnapshotSchema,
  machineSnapshotSchema,
  type LiveSnapshot,
} from '@takt/protocol/live';

export interface ParsedLive {
  /** The message with every valid machine; null when the envelope itself is unusable. */
  message: LiveSnapshot | null;
  /** What was wrong, one line each, for the console. */
  problems: string[];
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

function describe(issues: readonly IssueLike[], prefix: string): string[] {
  return issues.map(
    (i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`,
  );
}

/**
 * Checks a `machines:snapshot` / `machines:update` payload against the protocol's schema
 * (docs/architecture.md "Conventions" 3: socket messages are checked at run time). One malformed machine is dropped on its
 * own rather than blanking the whole board.
 */
export function parseLiveMessage(raw: unknown): ParsedLive {
  const whole = liveSnapshotSchema.safeParse(raw);
  if (whole.success) return { message: whole.data, problems: [] };

  const envelope = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const serverTime = isoTimeSchema.safeParse(envelope.serverTime);
  if (!serverTime.success || !Array.isArray(envelope.machines)) {
    return { message: null, problems: describe(whole.error.issues, '') };
  }
  const machines: LiveSnapshot['machines'] = [];
  const problems: string[] = [];
  envelope.machines.forEach((item: unknown, index) => {
    const machine = machineSnapshotSchema.safeParse(item);
    if (machine.success) machines.push(machine.data);
    else problems.push(...describe(machine.error.issues, `machines.${index}`));
  });
  return { message: { machines, serverTime: serverTime.data }, problems };
}
