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

describe('Sparkplug B edge nodes', () => {
  const node: Account = {
    username: 'line-1',
    role: 'sparkplug-node',
    group: 'Plant',
    node: 'Edge 1',
  };
  const spGw: Account = { ...gwA, sparkplug: { group: 'Plant', node: 'gw-a' } };

  it.each([
    [node, 'spBv1.0/Plant/NBIRTH/Edge 1', true],
    [node, 'spBv1.0/Plant/NDEATH/Edge 1', true],
    [node, 'spBv1.0/Plant/NDATA/Edge 1', true],
    [node, 'spBv1.0/Plant/DBIRTH/Edge 1/press-1', true],
    [node, 'spBv1.0/Plant/DDATA/Edge 1/press-1', true],
    [node, 'spBv1.0/Plant/DDEATH/Edge 1/press-1', true],
    [node, 'spBv1.0/Plant/NBIRTH/Edge 2', false], // another node
    [node, 'spBv1.0/Other/NBIRTH/Edge 1', false], // same node id, other group
    [node, 'spBv1.0/Plant/NCMD/Edge 1', false], // commands come from the host
    [node, 'spBv1.0/Plant/DCMD/Edge 1/press-1', false],
    [node, 'spBv1.0/STATE/takt', false], // a host's birth, not a node's
    [node, 'spBv1.0/Plant/DDATA/Edge 1', false], // device message without a device
    [node, 'spBv1.0/Plant/NDATA/Edge 1/extra', false],
    [node, 'takt/v1/s1/gw-a/status', false], // no Takt topics
    [spGw, 'spBv1.0/Plant/NBIRTH/gw-a', true],
    [spGw, 'spBv1.0/Plant/DDATA/gw-a/press-1', true],
    [spGw, 'takt/v1/s1/gw-a/status', true], // its Takt subtree stays
    [spGw, 'spBv1.0/Plant/NBIRTH/Edge 1', false],
    [gwA, 'spBv1.0/Plant/NBIRTH/gw-a', false], // no Sparkplug option, no Sparkplug
    [ingest, 'spBv1.0/Plant/NCMD/Edge 1', true],
    [ingest, 'spBv1.0/Plant/DCMD/Edge 1/press-1', true],
    [ingest, 'spBv1.0/STATE/takt', true],
    [ingest, 'spBv1.0/Plant/NDATA/Edge 1', false], // ingest never speaks for a node
  ])('%o publishing %s: %s', (account, topic, allowed) => {
    expect(canPublish(account, topic).ok).toBe(allowed);
  });

  it.each([
    [node, 'spBv1.0/Plant/NCMD/Edge 1', true],
    [node, 'spBv1.0/Plant/NCMD/Edge 1/#', true], // how Eclipse Tahu's client subscribes
    [node, 'spBv1.0/Plant/DCMD/Edge 1/#', true],
    [node, 'spBv1.0/Plant/DCMD/Edge 1/+', true],
    [node, 'spBv1.0/Plant/DCMD/Edge 1/press-1', true],
    [node, 'spBv1.0/STATE/takt', true],
    [node, 'spBv1.0/STATE/+', true],
    [node, 'spBv1.0/Plant/NCMD/+', false],
    [node, 'spBv1.0/Plant/NCMD/Edge 2', false],
    [node, 'spBv1.0/Plant/DCMD/Edge 1/+/x', false],
    [node, 'spBv1.0/Plant/#', false], // would read every node's data
    [node, 'spBv1.0/STATE/#', false],
    [node, '#', false],
    [node, 'takt/v1/s1/gw-a/ack', false],
    [spGw, 'spBv1.0/Plant/NCMD/gw-a/#', true],
    [spGw, 'takt/v1/s1/gw-a/cmd/#', true],
    [spGw, 'spBv1.0/Plant/DDATA/gw-a/+', false],
    [gwA, 'spBv1.0/Plant/NCMD/gw-a', false],
    [ingest, 'spBv1.0/Plant/#', true],
  ])('%o subscribing %s: %s', (account, filter, allowed) => {
    expect(canSubscribe(account, filter).ok).toBe(allowed);
  });

  it('delivers to a node only its own commands and host states', () => {
    expect(canReceive(node, 'spBv1.0/Plant/NCMD/Edge 1')).toBe(true);
    expect(canReceive(node, 'spBv1.0/Plant/DCMD/Edge 1/press-1')).toBe(true);
    expect(canReceive(node, 'spBv1.0/STATE/takt')).toBe(true);
    expect(canReceive(node, 'spBv1.0/Plant/NCMD/Edge 2')).toBe(false);
    expect(canReceive(node, 'spBv1.0/Plant/NDATA/Edge 1')).toBe(false);
    expect(canReceive(node, 'takt/v1/s1/gw-a/ack')).toBe(false);
    expect(canReceive(spGw, 'spBv1.0/Plant/NCMD/gw-a')).toBe(true);
    expect(canReceive(spGw, 'takt/v1/s1/gw-a/ack')).toBe(true);
    expect(canReceive(gwA, 'spBv1.0/Plant/NCMD/gw-a')).toBe(false);
  });

  it('keeps gateway client ids from Sparkplug nodes', () => {
    expect(clientIdAllowed(node, 'tahu-edge-1').ok).toBe(true);
    expect(clientIdAllowed(node, 'takt-gw-gw-a').ok).toBe(false);
  });
});
