import { pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { MACHINE_MESSAGE_KINDS, SPARKPLUG_NAMESPACE, TOPIC_ROOT, topics } from '@takt/protocol';
import { accountOf, sparkplugNodeOf, type Account, type BrokerUser } from '../users';

/**
 * The broker's accounts in Mosquitto 2's own files (docs/deployment.md "Past one server",
 * docs/decisions.md "Issue 22 — Mosquitto export and shared subscriptions"): a password file
 * (`user:$7$…`) and an ACL file (`user <name>` then `topic read|write|deny <filter>` lines).
 * The ACL lines give each account what broker/src/acl.ts gives it, as far as Mosquitto's
 * acl_file can say it:
 * - Mosquitto checks a publication with `write` lines and a delivery with `read` lines (a
 *   SUBSCRIBE itself is never refused by its acl_file; what does not match a `read` line is
 *   simply not delivered). A `deny` line wins over both, for reading and writing alike.
 * - It cannot say "all of a subtree but `ack` and `cmd/…`", so a gateway's writes are listed
 *   by the wire's topics (status, <machine>/<kind>, cmd-result/<kind>); a topic in its subtree
 *   that is none of these is refused by Mosquitto where acl.ts lets it through to become a dead
 *   letter in ingest. `cmd/<machine kind>` is denied outright so that no machine named `cmd`
 *   can write into the command tree (no command kind is named like a machine message kind).
 * Everything here is pure but the hashing.
 */

/** Mosquitto 2's `$7$` hash: PBKDF2-HMAC-SHA512, a 12-byte salt, a 64-byte key. */
const PBKDF2_KEY_BYTES = 64;
const PBKDF2_SALT_BYTES = 12;
/**
 * Mosquitto checks a password on its single event loop at every CONNECT; 10,000 rounds keep a
 * reconnect storm of a thousand gateways to a few seconds while costing a guesser 100 times
 * Mosquitto's own default of 101.
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 10_000;

const pbkdf2Async = promisify(pbkdf2);

/** `$7$<iterations>$<salt>$<key>` (base64), the format mosquitto_passwd writes. */
export async function mosquittoPasswordHash(
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): Promise<string> {
  const salt = options.salt ?? randomBytes(PBKDF2_SALT_BYTES);
  const iterations = options.iterations ?? MOSQUITTO_PBKDF2_ITERATIONS;
  const key = await pbkdf2Async(password, salt, iterations, PBKDF2_KEY_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export type NameCheck = { ok: true } | { ok: false; reason: string };

// C0 controls and DEL: a newline would end a line of either file early.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/u;

/**
 * Whether a username can be written into both files as it is. Mosquitto reads the password
 * file as `name:hash` lines, skips lines starting with `#`, trims blanks around the name, and
 * denies pattern ACLs to names containing `+` or `#`; its ACL file is line-based too.
 */
export function mosquittoUsernameCheck(username: string): NameCheck {
  if (username.length === 0) return { ok: false, reason: 'is empty' };
  if (CONTROL.test(username)) return { ok: false, reason: 'contains a control character' };
  if (/\s/u.test(username)) return { ok: false, reason: 'contains white space' };
  if (username.includes(':'))
    return { ok: false, reason: 'contains ":" (the password file splits on it)' };
  if (username.includes('#') || username.includes('+'))
    return { ok: false, reason: 'contains "#" or "+" (a comment or a wildcard to Mosquitto)' };
  return { ok: true };
}

/** A topic level taken from an account (a Sparkplug group or node may hold spaces). */
function topicLevelCheck(level: string): NameCheck {
  if (CONTROL.test(level)) return { ok: false, reason: 'contains a control character' };
  if (level.trim() !== level)
    return { ok: false, reason: 'starts or ends with white space (Mosquitto trims it)' };
  if (/[/+#]/u.test(level)) return { ok: false, reason: 'contains "/", "+" or "#"' };
  return { ok: true };
}

export class MosquittoExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MosquittoExportError';
  }
}

/** Throws naming the account and the field when a name cannot be written safely. */
export function assertExportable(account: Account): void {
  const refuse = (what: string, value: string, check: NameCheck) => {
    if (!check.ok)
      throw new MosquittoExportError(
        `account ${JSON.stringify(account.username)}: ${what} ${JSON.stringify(value)} ${check.reason}; it cannot be written into Mosquitto's files (rename the account)`,
      );
  };
  refuse('username', account.username, mosquittoUsernameCheck(account.username));
  if (account.role === 'gateway') {
    refuse('site', account.site, topicLevelCheck(account.site));
    refuse('gateway id', account.gatewayId, topicLevelCheck(account.gatewayId));
  }
  const node = sparkplugNodeOf(account);
  if (node) {
    refuse('Sparkplug group', node.group, topicLevelCheck(node.group));
    refuse('Sparkplug edge node', node.node, topicLevelCheck(node.node));
  }
}

type Line = `topic ${'read' | 'write' | 'readwrite' | 'deny'} ${string}`;

/** A Sparkplug edge node's own births, deaths and data; its commands and host STATE. */
function sparkplugLines(group: string, node: string): Line[] {
  const base = `${SPARKPLUG_NAMESPACE}/${group}`;
  return [
    ...(['NBIRTH', 'NDEATH', 'NDATA'] as const).map(
      (t): Line => `topic write ${base}/${t}/${node}`,
    ),
    ...(['DBIRTH', 'DDEATH', 'DDATA'] as const).map(
      (t): Line => `topic write ${base}/${t}/${node}/+`,
    ),
    `topic read ${base}/NCMD/${node}`,
    `topic read ${base}/DCMD/${node}/+`,
    `topic read ${SPARKPLUG_NAMESPACE}/STATE/+`,
  ];
}

/** A gateway: its wire topics out, its `ack` and `cmd/…` in (broker/src/acl.ts). */
function gatewayLines(site: string, gatewayId: string): Line[] {
  const own = topics.gatewaySubtree(site, gatewayId).slice(0, -2); // takt/v1/<site>/<gw>
  return [
    ...MACHINE_MESSAGE_KINDS.map((kind): Line => `topic deny ${own}/cmd/${kind}`),
    `topic write ${own}/status`,
    ...MACHINE_MESSAGE_KINDS.map((kind): Line => `topic write ${own}/+/${kind}`),
    `topic write ${own}/cmd-result/+`,
    `topic read ${own}/ack`,
    `topic read ${own}/cmd/#`,
  ];
}

/** Ingest reads everything but `$` topics; it writes acknowledgements and commands only. */
function ingestLines(): Line[] {
  return [
    'topic read #',
    `topic write ${TOPIC_ROOT}/+/+/ack`,
    `topic write ${TOPIC_ROOT}/+/+/cmd/#`,
    `topic write ${SPARKPLUG_NAMESPACE}/+/NCMD/+`,
    `topic write ${SPARKPLUG_NAMESPACE}/+/DCMD/+/+`,
    `topic write ${SPARKPLUG_NAMESPACE}/STATE/+`,
  ];
}

/** One account's block of the ACL file. */
export function mosquittoAclLines(account: Account): string[] {
  assertExportable(account);
  const lines: Line[] = [];
  if (account.role === 'admin') lines.push('topic readwrite #', 'topic read $SYS/#');
  if (account.role === 'ingest') lines.push(...ingestLines());
  if (account.role === 'gateway') lines.push(...gatewayLines(account.site, account.gatewayId));
  const node = sparkplugNodeOf(account);
  if (node) lines.push(...sparkplugLines(node.group, node.node));
  return [`user ${account.username}`, ...lines];
}

/** The whole ACL file. Anonymous clients get no line, so nothing. */
export function mosquittoAclFile(accounts: readonly Account[]): string {
  const blocks = accounts.map((a) => mosquittoAclLines(a).join('\n'));
  const head = [
    '# Mosquitto 2 acl_file written by `npm run broker:accounts -- export mosquitto`',
    '# from the Takt broker users file (docs/deployment.md "Past one server").',
    '# The same rights as broker/src/acl.ts; regenerate it rather than edit it.',
  ];
  return `${[head.join('\n'), ...blocks].join('\n\n')}\n`;
}

/** `user:$7$…` lines, in the accounts' order. */
export function mosquittoPasswordFile(
  entries: readonly { username: string; hash: string }[],
): string {
  for (const e of entries) {
    const check = mosquittoUsernameCheck(e.username);
    if (!check.ok)
      throw new MosquittoExportError(`username ${JSON.stringify(e.username)} ${check.reason}`);
  }
  return entries.map((e) => `${e.username}:${e.hash}\n`).join('');
}

/**
 * Passwords handed in: the `username=…` / `password=…` lines the `add-*` commands print (and
 * that export writes for the passwords it issues), one pair after the other. Blank lines and
 * `#` comments are skipped.
 */
export function parseHandedPasswords(text: string): Map<string, string> {
  const result = new Map<string, string>();
  let username: string | undefined;
  text.split(/\r?\n/u).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const [key, value] = eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
    if (key === 'username' && value !== '') username = value;
    else if (key === 'password' && username !== undefined && value !== '') {
      if (result.has(username))
        throw new MosquittoExportError(`passwords: line ${index + 1}: ${username} given twice`);
      result.set(username, value);
      username = undefined;
    } else
      // Never echo the line: it may hold a password.
      throw new MosquittoExportError(
        `passwords: line ${index + 1} is not "username=<name>" followed by "password=<password>"`,
      );
  });
  if (username !== undefined)
    throw new MosquittoExportError(`passwords: ${username} has no password line`);
  return result;
}

/** What export writes: the two files' text and the accounts whose password it issued. */
export interface MosquittoExport {
  passwordFile: string;
  aclFile: string;
  /** Accounts given a new password (their scrypt hashes go into the users file). */
  issued: { username: string; password: string }[];
  /** The users with the issued passwords' new scrypt hashes in place. */
  users: BrokerUser[];
}

export interface ExportInputs {
  users: readonly BrokerUser[];
  /** Passwords handed in (parseHandedPasswords), checked against the stored hashes. */
  passwords: ReadonlyMap<string, string>;
  /** Give accounts without a handed-in password a new one; else they are refused. */
  issueMissing: boolean;
  verify: (password: string, scryptHash: string) => Promise<boolean>;
  scryptHash: (password: string) => Promise<string>;
  newPassword: () => string;
}

export async function exportMosquitto(inputs: ExportInputs): Promise<MosquittoExport> {
  const { users, passwords } = inputs;
  const accounts = users.map(accountOf);
  accounts.forEach(assertExportable);
  const known = new Set(users.map((u) => u.username));
  const strangers = [...passwords.keys()].filter((name) => !known.has(name));
  if (strangers.length > 0)
    throw new MosquittoExportError(`passwords given for unknown accounts: ${strangers.join(', ')}`);
  const missing = users.filter((u) => !passwords.has(u.username)).map((u) => u.username);
  if (missing.length > 0 && !inputs.issueMissing)
    throw new MosquittoExportError(
      `no password handed in for ${missing.join(', ')}: the users file keeps only scrypt hashes, ` +
        'which Mosquitto cannot read. Give them with --passwords FILE, or add --issue-missing ' +
        'to issue new ones (their old passwords stop working on this broker too).',
    );
  const wrong: string[] = [];
  const issued: MosquittoExport['issued'] = [];
  const entries: { username: string; hash: string }[] = [];
  const updated: BrokerUser[] = [];
  for (const user of users) {
    let password = passwords.get(user.username);
    let next = user;
    if (password === undefined) {
      password = inputs.newPassword();
      issued.push({ username: user.username, password });
      next = { ...user, passwordHash: await inputs.scryptHash(password) };
    } else if (!(await inputs.verify(password, user.passwordHash))) wrong.push(user.username);
    updated.push(next);
    entries.push({ username: user.username, hash: await mosquittoPasswordHash(password) });
  }
  if (wrong.length > 0)
    throw new MosquittoExportError(
      `the passwords handed in for ${wrong.join(', ')} are not the ones the users file holds`,
    );
  return {
    passwordFile: mosquittoPasswordFile(entries),
    aclFile: mosquittoAclFile(accounts),
    issued,
    users: updated,
  };
}

/** The issued passwords in the format parseHandedPasswords reads back. */
export function issuedPasswordsText(issued: MosquittoExport['issued']): string {
  const head =
    '# New broker passwords issued by `export mosquitto`: hand each to its gateway, then delete this file.\n';
  return head + issued.map((i) => `username=${i.username}\npassword=${i.password}\n`).join('');
}
