import { z } from 'zod';
import { ID_PATTERN } from './ids';
import { TOPIC_ROOT } from './topics';

/**
 * Remote configuration of a gateway (docs/decisions.md "Issue 25 — remote configuration"):
 * ingest publishes a signed command on `…/<gw>/cmd/config` (retained), the gateway answers on
 * `…/<gw>/cmd-result/config`.
 * Agent updates use the kind `update` (protocol/src/agent-update.ts).
 */
export const COMMAND_KINDS = ['config', 'update'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

function assertId(what: string, value: string): void {
  if (!ID_PATTERN.test(value)) throw new Error(`invalid ${what} "${value}" for a topic level`);
}

export const commandTopics = {
  /** Ingest -> one gateway; inside the `cmd/#` tree only ingest writes (broker/src/acl.ts). */
  command(site: string, gatewayId: string, kind: CommandKind): string {
    assertId('site', site);
    assertId('gatewayId', gatewayId);
    return `${TOPIC_ROOT}/${site}/${gatewayId}/cmd/${kind}`;
  },
  /** Gateway -> ingest; inside the gateway's own publish subtree. */
  commandResult(site: string, gatewayId: string, kind: CommandKind): string {
    assertId('site', site);
    assertId('gatewayId', gatewayId);
    return `${TOPIC_ROOT}/${site}/${gatewayId}/cmd-result/${kind}`;
  },
  /** What ingest subscribes to for every gateway's results of one kind. */
  allResults(kind: CommandKind): string {
    return `${TOPIC_ROOT}/+/+/cmd-result/${kind}`;
  },
} as const;

/** `takt/v1/<site>/<gw>/cmd-result/<kind>`: a gateway's answer, not a reading. */
export function parseCommandResultTopic(
  topic: string,
): { site: string; gatewayId: string; kind: CommandKind } | undefined {
  const levels = topic.split('/');
  const root = TOPIC_ROOT.split('/');
  if (levels.length !== root.length + 4 || root.some((l, i) => levels[i] !== l)) return undefined;
  const [site, gatewayId, level, kind] = levels.slice(root.length) as [
    string,
    string,
    string,
    string,
  ];
  if (level !== 'cmd-result' || !(COMMAND_KINDS as readonly string[]).includes(kind))
    return undefined;
  if (!ID_PATTERN.test(site) || !ID_PATTERN.test(gatewayId)) return undefined;
  return { site, gatewayId, kind: kind as CommandKind };
}

export function isCommandResultTopic(topic: string): boolean {
  const levels = topic.split('/');
  return (
    levels.length >= 5 && `${levels[0]}/${levels[1]}` === TOPIC_ROOT && levels[4] === 'cmd-result'
  );
}

/** The largest config text accepted, on the wire and by the route. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export const configCommandSchema = z.object({
  v: z.literal(1),
  ts: z.number().int().nonnegative(),
  version: z.number().int().positive(),
  yaml: z.string().max(MAX_CONFIG_BYTES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  signature: z.string().max(512),
});
export type ConfigCommand = z.infer<typeof configCommandSchema>;

export const configResultSchema = z.object({
  v: z.literal(1),
  ts: z.number().int().nonnegative(),
  /** 0 when the command was too malformed to read its version. */
  version: z.number().int().nonnegative(),
  status: z.enum(['applied', 'refused']),
  error: z.string().max(8000).optional(),
});
export type ConfigResult = z.infer<typeof configResultSchema>;

/**
 * The bytes an Ed25519 signature covers: the gateway's identity, the version and the text's
 * hash, so a config cannot be moved to another gateway or renumbered without the key.
 */
export function configSigningText(
  site: string,
  gatewayId: string,
  version: number,
  sha256: string,
): string {
  return `takt-config/v1\n${site}\n${gatewayId}\n${version}\n${sha256}`;
}
