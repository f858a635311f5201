import { describe, expect, it } from 'vitest';
import { linkCredentialFrom } from '../../src/lib/credentials';
import { routeFor } from '../../src/lib/route';

describe('the station URL (docs/dashboard.md "Station")', () => {
  it('reads /station/<id>', () => {
    expect(routeFor('/station/assembly-01', '?lang=zh-CN')).toEqual({
      kind: 'station',
      id: 'assembly-01',
    });
    expect(routeFor('/station/press-02/', '')).toEqual({ kind: 'station', id: 'press-02' });
  });

  it('says plainly when the id cannot be one', () => {
    const route = routeFor('/station/%20bad', '');
    expect(route).toMatchObject({ kind: 'bad-url', message: '" bad" is not a station id' });
    expect(routeFor('/station/a/b', '')).toMatchObject({ kind: 'bad-url' });
  });

  it('takes a station link token from the fragment of a station page only', () => {
    expect(linkCredentialFrom('/station/assembly-01', '#station=tkst_a-B_9')).toEqual({
      kind: 'station',
      token: 'tkst_a-B_9',
    });
    expect(linkCredentialFrom('/', '#station=tkst_abc')).toBeUndefined();
    expect(linkCredentialFrom('/station/a', '#station=tkk_abc')).toBeUndefined();
  });
});
