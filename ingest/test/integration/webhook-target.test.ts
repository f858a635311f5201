import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/auth/address-list';
import { blockedAddress, postWebhook } from '../../src/alerts/delivery/webhook-target';
import { startWebhookReceiver } from '../helpers/receivers';

// Issue 18, finding 10: webhooks never reach loopback, link-local or private addresses
// unless TAKT_WEBHOOK_ALLOW lists them, whether written as an address or reached by a name.
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver?.stop());

const post = (url: string, allow?: string) =>
  postWebhook(
    new URL(url),
    { 'content-type': 'application/json' },
    '{}',
    2000,
    allow === undefined ? undefined : parseAddressList('TAKT_WEBHOOK_ALLOW', allow),
  );

describe('webhook targets', () => {
  it('names the range of a refused address', () => {
    expect(blockedAddress('127.0.0.1', undefined)).toMatch(
      /loopback address; webhooks go there only when TAKT_WEBHOOK_ALLOW lists it/,
    );
    expect(blockedAddress('169.254.169.254', undefined)).toMatch(/link-local/);
    expect(blockedAddress('10.1.2.3', undefined)).toMatch(/private/);
    expect(blockedAddress('192.168.0.10', undefined)).toMatch(/private/);
    expect(blockedAddress('fd00::1', undefined)).toMatch(/private/);
    expect(blockedAddress('::ffff:10.0.0.1', undefined)).toMatch(/private/);
    expect(blockedAddress('93.184.216.34', undefined)).toBeUndefined();
    expect(blockedAddress('10.1.2.3', parseAddressList('V', '10.0.0.0/8'))).toBeUndefined();
  });

  it('refuses loopback by address and by name, before anything is sent', async () => {
    const port = new URL(receiver.url).port;
    await expect(post(`http://127.0.0.1:${port}/hook`)).rejects.toThrow(
      /127\.0\.0\.1 is a loopback address/,
    );
    await expect(post(`http://localhost:${port}/hook`)).rejects.toThrow(
      /localhost resolves to .* is a loopback address/,
    );
    await expect(post(`http://[::1]:${port}/hook`)).rejects.toThrow(/::1 is a loopback address/);
    expect(receiver.received).toHaveLength(0);
  });

  it('sends to an allow-listed address, by address and by name', async () => {
    const port = new URL(receiver.url).port;
    expect((await post(`http://127.0.0.1:${port}/hook`, '127.0.0.1')).status).toBe(200);
    expect((await post(`http://localhost:${port}/hook`, '127.0.0.1,::1')).status).toBe(200);
    expect(receiver.received).toHaveLength(2);
  });
});
