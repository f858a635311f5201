import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Security headers on every response (set here rather than by @fastify/helmet: a dozen
 * lines, no dependency). The dashboard loads only its own files; ECharts sets inline
 * styles, hence 'unsafe-inline' for styles only. HSTS only when served over TLS.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const STATION_POLICY = 'camera=(self), microphone=(), geolocation=(), payment=()';

export function securityHeaders(hsts: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.headers(SECURITY_HEADERS);
    // The operator station reads barcodes with the camera (docs/dashboard.md "Station"):
    // only its own pages may ask for it; every other page keeps it off.
    if (request.url.startsWith('/station/'))
      void reply.header('permissions-policy', STATION_POLICY);
    if (hsts) void reply.header('strict-transport-security', 'max-age=31536000');
    // API answers may hold orders and names: never cached by a browser or a proxy.
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
  };
}

/** Paths that carry a secret, in logs: never the token itself. */
export function redactUrl(url: string): string {
  return url.replace(/tk(?:st|[skc])_[A-Za-z0-9_-]+/g, 'tk*_[redacted]');
}

/** pino redact paths: credentials in headers, bodies and anything named like a secret. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'token',
  '*.password',
  '*.token',
  '*.passwordHash',
];
