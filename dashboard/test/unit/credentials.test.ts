import { describe, expect, it } from 'vitest';
import { linkCredentialFrom } from '../../src/lib/credentials';

describe('linkCredentialFrom', () => {
  it('takes a kiosk token from the fragment of any board URL', () => {
    expect(linkCredentialFrom('/', '#kiosk=tkk_abc-_9')).toEqual({
      kind: 'kiosk',
      token: 'tkk_abc-_9',
    });
  });

  it('takes a customer token only on the tracking page', () => {
    expect(linkCredentialFrom('/track', '#tkc_xyz')).toEqual({
      kind: 'customer',
      token: 'tkc_xyz',
    });
    expect(linkCredentialFrom('/', '#tkc_xyz')).toBeUndefined();
  });

  it('ignores anything that is not a token of the right kind', () => {
    expect(linkCredentialFrom('/', '')).toBeUndefined();
    expect(linkCredentialFrom('/', '#kiosk=tks_session')).toBeUndefined();
    expect(linkCredentialFrom('/track', '#kiosk=tkk_a')).toEqual({ kind: 'kiosk', token: 'tkk_a' });
    expect(linkCredentialFrom('/track', '#tkk_a')).toBeUndefined();
  });
});
