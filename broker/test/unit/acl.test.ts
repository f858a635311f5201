import { describe, expect, it } from 'vitest';
import { canPublish, canReceive, canSubscribe, clientIdAllowed, type Account } from '../../src';

const gwA: Account = { username: 'gw-a', role: 'gateway', site: 's1', gatewayId: 'gw-a' };
const ingest: Account = { username: 'ingest', role: 'ingest' };
const admin: Account = { username: 'root', role: 'admin' };

describe('publish ACL', () => {
  it.each([
    [gwA, 'takt/v1/s1/gw-a/status', true],
    [gwA, 'takt/v1/s1/gw-a/press-1/metrics', true],
    [gwA, 'takt/v1/s1/gw-b/press-1/metrics', false], // another gateway's subtree
    [gwA, 'takt/v1/s2/gw-a/status', false], // same id, other site
    [gwA, 'takt/v1/s1/gw-a', false],
    [gwA, 'takt/v1/s1/gw-a/ack', false], // written by ingest only
    [gwA, 'takt/v1/s1/gw-a/cmd/restart', false],
    [gwA, 'takt/v2/s1/gw-a/status', false],
    [gwA, '$SYS/broker/x', false],
    [gwA, 'other/topic', false],
    [ingest, 'takt/v1/s1/gw-a/ack', true],
    [ingest, 'takt/v1/s1/gw-a/cmd/reload', true],
    [ingest, 'takt/v1/s1/gw-a/press-1/count', false], // ingest never speaks for a gateway
    [ingest, '$SYS/x', false],
    [admin, 'anything/at/all', true],
    [admin, '$SYS/x', false],
  ])('%o publishing %s: %s', (account, topic, allowed) => {
    expect(canPublish(account, topic).ok).toBe(allowed);
  });
});

describe('subscribe ACL', () => {
  it.each([
    [gwA, 'takt/v1/s1/gw-a/ack', true],
    [gwA, 'takt/v1/s1/gw-a/cmd/#', true],
    [gwA, 'takt/v1/s1/gw-a/cmd/+', true],
    [gwA, '#', false],
    [gwA, 'takt/v1/#', false],
    [gwA, 'takt/v1/s1/gw-a/#', false], // would read its own data back, and acks of nobody else, but data is ingest's
    [gwA, 'takt/v1/s1/gw-a/+', false],
    [gwA, 'takt/v1/s1/+/ack', false],
    [gwA, 'takt/v1/s1/gw-b/ack', false],
    [gwA, 'takt/v1/s1/gw-b/status', false],
    [gwA, '$SYS/#', false],
    [ingest, 'takt/v1/#', true],
    [ingest, '#', true],
    [ingest, '$SYS/#', false],
    [admin, '$SYS/#', true],
  ])('%o subscribing %s: %s', (account, filter, allowed) => {
    expect(canSubscribe(account, filter).ok).toBe(allowed);
  });

  it('delivers to a gateway only its own ack and commands', () => {
    expect(canReceive(gwA, 'takt/v1/s1/gw-a/ack')).toBe(true);
    expect(canReceive(gwA, 'takt/v1/s1/gw-a/cmd/x')).toBe(true);
    expect(canReceive(gwA, 'takt/v1/s1/gw-b/ack')).toBe(false);
    expect(canReceive(gwA, 'takt/v1/s1/gw-a/status')).toBe(false);
    expect(canReceive(ingest, 'takt/v1/s1/gw-a/status')).toBe(true);
  });
});

describe('client ids', () => {
  it.each([
    [gwA, 'takt-gw-gw-a', true],
    [gwA, 'takt-gw-gw-a/tool', true],
    [gwA, 'takt-gw-gw-a-2', false], // would be gateway "gw-a-2"'s id
    [gwA, 'takt-gw-gw-b', false],
    [gwA, 'takt-ingest', false], // no taking over ingest's session
    [ingest, 'takt-ingest', true],
    [ingest, 'takt-gw-gw-a', false],
  ])('%o as %s: %s', (account, clientId, allowed) => {
    expect(clientIdAllowed(account, clientId).ok).toBe(allowed);
  });
});
