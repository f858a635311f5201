/** Edge agent error codes (docs/architecture.md "Conventions" 8). */
export const EDGE_ERRORS = {
  EDGE_ERR_STATE_DIR: (dir: string, reason: string) =>
    `cannot use state directory ${dir} (it keeps the message counter): ${reason}`,
  EDGE_ERR_NO_PASSWORD: (envName: string) =>
    `the MQTT password is not set: put it in the environment variable ${envName}`,
  EDGE_ERR_CA_FILE: (file: string, reason: string) =>
    `cannot read mqtt.caFile ${file} (the CA of the broker's TLS certificate): ${reason}`,
  EDGE_ERR_UNKNOWN_DRIVER: (kind: string) => `no driver for "${kind}"`,
  EDGE_ERR_OPCUA_NO_PASSWORD: (device: string, envName: string) =>
    `OPC UA device "${device}" logs in with a username, but its password is not set: ` +
    `put it in the environment variable ${envName}`,
  EDGE_ERR_OPCUA_CONNECT_TIMEOUT: (endpointUrl: string, ms: number) =>
    `no OPC UA session with ${endpointUrl} within ${ms} ms`,
  EDGE_ERR_OPCUA_UNTRUSTED: (endpointUrl: string, sha256: string, sha1: string, why: string) =>
    `the OPC UA server at ${endpointUrl} presented a certificate that is not trusted ` +
    `(SHA-256 ${sha256}, SHA-1 ${sha1}): ${why}. Check it on the machine, then pin it under ` +
    `the device's trust.thumbprints`,
  EDGE_ERR_OPCUA_NO_SECURE_ENDPOINT: (endpointUrl: string, offered: string) =>
    `the OPC UA server at ${endpointUrl} offers no secured endpoint Takt can use (offered: ` +
    `${offered}); write securityMode: None in the device config only if that is acceptable`,
  EDGE_ERR_OPCUA_NO_ENDPOINT: (endpointUrl: string, wanted: string, offered: string) =>
    `the OPC UA server at ${endpointUrl} offers no endpoint ${wanted} (offered: ${offered})`,
  EDGE_ERR_OPCUA_TRUSTED_FOLDER: (folder: string, reason: string) =>
    `cannot read the OPC UA trusted certificates in ${folder}: ${reason}`,
  EDGE_ERR_OPCUA_WATCHDOG: (ms: number) =>
    `the OPC UA server sent neither data nor keep-alive for ${ms} ms: the connection is dead`,
} as const;

export type EdgeErrorCode = keyof typeof EDGE_ERRORS;

export class EdgeError extends Error {
  constructor(
    readonly code: EdgeErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'EdgeError';
  }
}
