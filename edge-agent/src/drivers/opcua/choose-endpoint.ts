import {
  OPCUA_SECURITY_MODES,
  OPCUA_SECURITY_POLICIES,
  unsecured,
  type OpcuaDeviceConfig,
} from '@takt/protocol';
import { EDGE_ERRORS, EdgeError } from '../../errors';

export type Mode = (typeof OPCUA_SECURITY_MODES)[number];
export type Policy = (typeof OPCUA_SECURITY_POLICIES)[number];

/** An endpoint as GetEndpoints describes it (OPC UA Part 4, 7.10). */
export interface OfferedEndpoint {
  securityMode: number;
  securityPolicyUri: string | null;
  serverCertificate: Buffer | null;
}

// Stronger first. Modes: Part 4, 7.15; policies: Part 7 security profiles (Aes256_Sha256_RsaPss
// and Basic256Sha256 use 256-bit keys; Aes128_Sha256_RsaOaep 128-bit).
const MODE_RANK: Record<Mode, number> = { SignAndEncrypt: 3, Sign: 2, None: 1 };
const POLICY_RANK: Record<Policy, number> = {
  Aes256_Sha256_RsaPss: 4,
  Basic256Sha256: 3,
  Aes128_Sha256_RsaOaep: 2,
  None: 1,
};

// MessageSecurityMode values (OPC UA Part 4, 7.15): 0 is Invalid.
const MODES: Record<number, Mode> = { 1: 'None', 2: 'Sign', 3: 'SignAndEncrypt' };
const modeOf = (e: OfferedEndpoint) => MODES[e.securityMode];
const policyOf = (e: OfferedEndpoint) =>
  (e.securityPolicyUri ?? '').split('#').pop() as Policy | undefined;
const describe = (offered: readonly OfferedEndpoint[]) =>
  offered.map((e) => `${modeOf(e)}/${policyOf(e)}`).join(', ') || 'none';

/**
 * The endpoint to use: the config's mode and policy where it names them, else the most secure
 * the server offers of those Takt knows. Never None unless the config says None: a man in the
 * middle who answers GetEndpoints with None only is refused, not obeyed. Pure.
 */
export function chooseEndpoint(
  config: Pick<OpcuaDeviceConfig, 'securityMode' | 'securityPolicy' | 'endpointUrl'>,
  offered: readonly OfferedEndpoint[],
): OfferedEndpoint & { mode: Mode; policy: Policy } {
  const usable = offered
    .map((e) => ({ ...e, mode: modeOf(e)!, policy: policyOf(e)! }))
    .filter((e) => Object.hasOwn(MODE_RANK, e.mode) && Object.hasOwn(POLICY_RANK, e.policy))
    .filter((e) => config.securityMode === undefined || e.mode === config.securityMode)
    .filter((e) => config.securityPolicy === undefined || e.policy === config.securityPolicy)
    .filter((e) => unsecured(config) || e.mode !== 'None')
    .sort(
      (a, b) =>
        MODE_RANK[b.mode] - MODE_RANK[a.mode] || POLICY_RANK[b.policy] - POLICY_RANK[a.policy],
    );
  const best = usable[0];
  if (best) return best;
  if (config.securityMode === undefined && config.securityPolicy === undefined)
    throw new EdgeError(
      'EDGE_ERR_OPCUA_NO_SECURE_ENDPOINT',
      EDGE_ERRORS.EDGE_ERR_OPCUA_NO_SECURE_ENDPOINT(config.endpointUrl, describe(offered)),
    );
  const wanted = `${config.securityMode ?? 'any mode'}/${config.securityPolicy ?? 'any policy'}`;
  throw new EdgeError(
    'EDGE_ERR_OPCUA_NO_ENDPOINT',
    EDGE_ERRORS.EDGE_ERR_OPCUA_NO_ENDPOINT(config.endpointUrl, wanted, describe(offered)),
  );
}
