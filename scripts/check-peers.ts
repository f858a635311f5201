/**
 * Checks that every real peer the tests use can start (test/helpers/peers.ts) and names
 * the Debian packages of those that cannot. `.ci/run` calls it before the tests, so a
 * missing package fails the run at once with its name (issue 14).
 */
import { installHint, PEERS, type PeerName } from '../sim/src/peers';

const missing: PeerName[] = [];
for (const [name, peer] of Object.entries(PEERS) as [PeerName, (typeof PEERS)[PeerName]][]) {
  const problem = peer.check();
  if (problem) {
    missing.push(name);
    console.error(`peer ${name} (${peer.packages.join(', ')}): ${problem}`);
  }
}
if (missing.length > 0) {
  console.error(`missing test peers; install them with:\n  ${installHint(missing)}`);
  process.exit(1);
}
console.log(`test peers: all ${Object.keys(PEERS).length} can start`);
