/**
 * OPC UA driver error codes (STYLE 8), in the words of a plant engineer. Kept beside the
 * driver; they follow the EDGE_ERR_* scheme of edge-agent/src/errors.ts.
 */
export const OPCUA_ERRORS = {
  EDGE_ERR_OPCUA_NO_PASSWORD: (device: string, envName: string) =>
    `OPC UA device "${device}" logs in with a username, but its password is not set: ` +
    `put it in the environment variable ${envName}`,
  EDGE_ERR_OPCUA_CONNECT_TIMEOUT: (endpointUrl: string, ms: number) =>
    `no OPC UA session with ${endpointUrl} within ${ms} ms`,
  EDGE_ERR_OPCUA_WATCHDOG: (ms: number) =>
    `the OPC UA server sent neither data nor keep-alive for ${ms} ms: the connection is dead`,
} as const;

export type OpcuaErrorCode = keyof typeof OPCUA_ERRORS;

export class OpcuaDriverError extends Error {
  constructor(
    readonly code: OpcuaErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'OpcuaDriverError';
  }
}
