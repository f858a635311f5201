/**
 * The credential this page uses (issue 9). Staff sign in and the browser holds an HttpOnly
 * session cookie, which page code never sees. A wall TV opens `/#kiosk=<token>` and a
 * customer `/track#<token>`: the token sits in the URL fragment, which browsers never send
 * to a server (so it stays out of logs), and goes out as `Authorization: Bearer`.
 */
export type LinkCredential = { kind: 'kiosk' | 'customer' | 'station'; token: string };

export function linkCredentialFrom(pathname: string, hash: string): LinkCredential | undefined {
  const fragment = hash.replace(/^#/, '');
  const kiosk = /^kiosk=(tkk_[\w-]+)$/.exec(fragment);
  if (kiosk) return { kind: 'kiosk', token: kiosk[1]! };
  // A station link: `/station/<id>#station=tkst_…`, on a station page only.
  const station = /^station=(tkst_[\w-]+)$/.exec(fragment);
  if (station && pathname.startsWith('/station/')) return { kind: 'station', token: station[1]! };
  if (pathname.startsWith('/track') && /^tkc_[\w-]+$/.test(fragment))
    return { kind: 'customer', token: fragment };
  return undefined;
}

let current: LinkCredential | undefined;

export function setLinkCredential(credential: LinkCredential | undefined): void {
  current = credential;
}

/** Headers for an API call: the link token if this page has one (else the cookie goes by itself). */
export function authHeaders(): Record<string, string> {
  return current ? { authorization: `Bearer ${current.token}` } : {};
}

/** socket.io's handshake `auth`: the link token, or nothing (the cookie goes by itself). */
export function socketAuth(): Record<string, string> {
  return current ? { token: current.token } : {};
}

export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...authHeaders(), ...(init.headers ?? {}) },
  });
}
