import { describe, expect, it } from 'vitest';
import { translate } from '../../src/i18n/translate';
import { boardsUrl, routeFor } from '../../src/lib/route';

describe('routeFor', () => {
  it('shows the plant board at /', () => {
    expect(routeFor('/', '')).toEqual({ kind: 'boards', boards: [{ board: 'plant' }], everyS: 30 });
  });

  it('reads a rotation of boards with its interval', () => {
    expect(routeFor('/board', '?show=plant,line:line-a,orders,andon&every=15')).toEqual({
      kind: 'boards',
      boards: [
        { board: 'plant' },
        { board: 'line', line: 'line-a' },
        { board: 'orders' },
        { board: 'andon' },
      ],
      everyS: 15,
    });
  });

  it('reads the pages', () => {
    expect(routeFor('/analytics', '')).toEqual({ kind: 'analytics' });
    expect(routeFor('/maintenance/', '?lang=zh-CN')).toEqual({ kind: 'maintenance' });
    expect(routeFor('/work-orders/WO-1001', '')).toEqual({ kind: 'work-order', id: 'WO-1001' });
    expect(routeFor('/gateways/gw-1/config', '')).toEqual({ kind: 'gateway-config', id: 'gw-1' });
    expect(routeFor('/gateways/bad%20id/config', '').kind).toBe('bad-url');
    expect(routeFor('/track', '')).toEqual({ kind: 'track' });
    expect(routeFor('/quality/nc', '?lang=zh-CN')).toEqual({ kind: 'nc' });
    expect(routeFor('/gateways', '')).toEqual({ kind: 'gateways' });
    expect(routeFor('/gateways/gw-demo-1', '')).toEqual({ kind: 'gateway', id: 'gw-demo-1' });
  });

  it.each([
    ['/board', '?show=plant,gantt', 'unknown board "gantt"'],
    ['/board', '?show=line', 'names no line'],
    ['/board', '?show=orders:x', 'takes no ":x"'],
    ['/board', '?show=,', 'lists no board'],
    ['/board', '?show=plant&every=1', 'every=1 is not'],
    ['/board', '?show=plant&every=abc', 'every=abc is not'],
    ['/nowhere', '', 'there is no page at /nowhere'],
    ['/work-orders/%20x', '', 'is not a work-order id'],
    ['/gateways/%20x', '', 'there is no page at /gateways/%20x'],
  ])('refuses %s%s with a reason', (path, search, reason) => {
    const route = routeFor(path, search);
    expect(route.kind).toBe('bad-url');
    expect(route.kind === 'bad-url' && route.message).toContain(reason);
  });

  it('writes a board list back as a URL it reads', () => {
    const url = boardsUrl([{ board: 'line', line: 'line-b' }, { board: 'andon' }], 10);
    const [path, search] = url.split('?');
    expect(routeFor(path!, `?${search}`)).toEqual({
      kind: 'boards',
      boards: [{ board: 'line', line: 'line-b' }, { board: 'andon' }],
      everyS: 10,
    });
  });
});

describe('a bad URL in the screen language', () => {
  it('carries a catalog label, so a Chinese screen says what is wrong in Chinese', () => {
    const route = routeFor('/board', '?show=plant,gantt');
    if (route.kind !== 'bad-url') throw new Error('expected a bad URL');
    expect(translate('zh-CN', route.key, route.vars)).toContain('未知看板 "gantt"');
    expect(route.message).toBe(translate('en', route.key, route.vars));
  });
});
