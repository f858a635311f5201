import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export const connect = (url: string, options: IClientOptions = {}): Promise<MqttClient> =>
  mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });

/** Every message a client receives, in order. */
export function collect(client: MqttClient): { topic: string; payload: string }[] {
  const seen: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  return seen;
}

export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) =>
    client.connected === false && client.disconnected
      ? resolve()
      : client.once('close', () => resolve()),
  );
}

export async function waitUntil(
  what: string,
  check: () => boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
