import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { addAccount, removeAccount, type AccountSpec } from '../accounts';
import { exportMosquittoToDir } from '../export/write';
import { loadUsersFile, sparkplugNodeOf, type BrokerUser } from '../users';

/**
 * Broker accounts from the command line (README "Broker accounts"):
 *   npm run broker:add-gateway -- <site> <gatewayId> [--username U] [--rotate]
 *       [--sparkplug-group G [--sparkplug-node N]]   (the gateway also speaks Sparkplug B)
 *   npm run broker:accounts -- add-sparkplug-node <group> <edgeNode> [--username U] [--rotate]
 *   npm run broker:accounts -- add-service ingest|admin <username> [--rotate]
 *   npm run broker:accounts -- remove <username>
 *   npm run broker:accounts -- list
 *   npm run broker:accounts -- export mosquitto [--out DIR] [--passwords FILE] [--issue-missing]
 *       (Mosquitto 2's password and ACL files, by default in mosquitto/ beside the users file;
 *       docs/deployment.md "Past one server")
 * The users file is --users-file, else TAKT_BROKER_USERS_FILE, else broker/users.json.
 * A new password is printed once, on stdout; only its scrypt hash is stored.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'users-file': { type: 'string' },
    username: { type: 'string' },
    rotate: { type: 'boolean', default: false },
    'sparkplug-group': { type: 'string' },
    'sparkplug-node': { type: 'string' },
    out: { type: 'string' },
    passwords: { type: 'string' },
    'issue-missing': { type: 'boolean', default: false },
  },
});
const file = values['users-file'] ?? process.env.TAKT_BROKER_USERS_FILE ?? 'broker/users.json';
const [command, ...args] = positionals;

function usage(): never {
  console.error(
    'usage: accounts add-gateway <site> <gatewayId> [--username U] [--rotate]\n' +
      '           [--sparkplug-group G [--sparkplug-node N]]\n' +
      '       accounts add-sparkplug-node <group> <edgeNode> [--username U] [--rotate]\n' +
      '       accounts add-service ingest|admin <username> [--rotate]\n' +
      '       accounts remove <username> | list      [--users-file FILE]\n' +
      '       accounts export mosquitto [--out DIR] [--passwords FILE] [--issue-missing]',
  );
  process.exit(2);
}

function describe(u: BrokerUser): string {
  const node = sparkplugNodeOf(u);
  const sparkplug = node ? `\tspBv1.0/${node.group}/…/${node.node}` : '';
  if (u.role === 'gateway') return `${u.username}\tgateway\t${u.site}/${u.gatewayId}${sparkplug}`;
  return `${u.username}\t${u.role}${sparkplug}`;
}

/** Secrets go to files only; this prints where, and for whom. */
async function exportMosquitto(): Promise<void> {
  const done = await exportMosquittoToDir({
    usersFile: file,
    // Beside the users file by default: the password file belongs where the accounts are kept.
    outDir: values.out ?? join(dirname(file), 'mosquitto'),
    passwordsFile: values.passwords,
    issueMissing: values['issue-missing']!,
  });
  console.error(`wrote ${done.passwordFile} (mode 0600) and ${done.aclFile}`);
  if (done.issuedFile)
    console.error(
      `new passwords for ${done.issuedFor.join(', ')} are in ${done.issuedFile} (mode 0600); ` +
        `their hashes replaced the old ones in ${file}`,
    );
}

async function main(): Promise<void> {
  if (command === 'export') {
    if (args.length !== 1 || args[0] !== 'mosquitto') usage();
    return exportMosquitto();
  }
  if (command === 'list') {
    for (const u of loadUsersFile(file)) console.log(describe(u));
    return;
  }
  if (command === 'remove') {
    if (args.length !== 1) usage();
    const removed = removeAccount(file, args[0]!);
    console.log(removed ? `removed ${args[0]} from ${file}` : `no account ${args[0]} in ${file}`);
    if (!removed) process.exit(1);
    return;
  }
  let spec: AccountSpec;
  if (command === 'add-gateway' && args.length === 2) {
    const group = values['sparkplug-group'];
    if (values['sparkplug-node'] !== undefined && group === undefined) usage();
    spec = {
      role: 'gateway',
      site: args[0]!,
      gatewayId: args[1]!,
      username: values.username,
      sparkplug: group === undefined ? undefined : { group, node: values['sparkplug-node'] },
    };
  } else if (command === 'add-sparkplug-node' && args.length === 2) {
    spec = { role: 'sparkplug-node', group: args[0]!, node: args[1]!, username: values.username };
  } else if (
    command === 'add-service' &&
    args.length === 2 &&
    (args[0] === 'ingest' || args[0] === 'admin')
  ) {
    spec = { role: args[0], username: args[1]! };
  } else usage();
  const added = await addAccount(file, spec, { rotate: values.rotate });
  console.error(`${added.replaced ? 'new password for' : 'added'} ${added.username} in ${file}`);
  console.error('the password below is shown once; only its hash is stored:');
  console.log(`username=${added.username}`);
  console.log(`password=${added.password}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
