import { describe, expect, it } from 'vitest';
import { parsePackageArgs } from '../../scripts/package-edge';

// scripts/package-edge.ts: which archives to build and whether to sign them
// (docs/decisions.md "Issue 25 — signed agent updates (gateway)").
describe('npm run package:edge arguments', () => {
  it('reads --arch, --sign-key, --out and bare architectures; the key may come from the env', () => {
    expect(parsePackageArgs(['--arch', 'x64', '--sign-key', 'k.pem'], {})).toMatchObject({
      arches: ['x64'],
      signKeyFile: 'k.pem',
    });
    expect(parsePackageArgs(['arm64', '--arch', 'armv7,x64'], {}).arches).toEqual([
      'arm64',
      'armv7',
      'x64',
    ]);
    expect(parsePackageArgs([], {})).toMatchObject({ arches: undefined, signKeyFile: undefined });
    expect(parsePackageArgs([], { TAKT_PACKAGE_SIGNING_KEY_FILE: '/k.pem' }).signKeyFile).toBe(
      '/k.pem',
    );
    expect(parsePackageArgs(['--out', '/tmp/x'], {}).outDir).toBe('/tmp/x');
  });

  it('refuses an unknown architecture or option and a missing value', () => {
    expect(() => parsePackageArgs(['--arch', 'mips'], {})).toThrow(/unknown architecture mips/);
    expect(() => parsePackageArgs(['--sign'], {})).toThrow(/unknown option --sign/);
    expect(() => parsePackageArgs(['--sign-key'], {})).toThrow(/--sign-key needs a value/);
  });
});
