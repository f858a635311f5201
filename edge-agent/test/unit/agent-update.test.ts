import { describe, expect, it } from 'vitest';
import { commandRefusal } from '../../src/update/agent-update';
import { exitedFromShow } from '../../src/update/updater';

describe('which verified update a gateway still refuses', () => {
  const here = { agentVersion: '0.1.0', nodeArch: 'x64' };

  it('accepts another version for its own architecture', () => {
    expect(commandRefusal({ version: '0.1.1', arch: 'x64' }, here)).toBeUndefined();
    expect(commandRefusal({ version: '0.0.9', arch: 'x64' }, here)).toBeUndefined();
    expect(
      commandRefusal(
        { version: '0.2.0', arch: 'armv7' },
        { agentVersion: '0.1.0', nodeArch: 'arm' },
      ),
    ).toBeUndefined();
  });

  it('refuses the version it runs and a package for another architecture, saying which', () => {
    expect(commandRefusal({ version: '0.1.0', arch: 'x64' }, here)).toBe(
      'this gateway already runs version 0.1.0',
    );
    expect(commandRefusal({ version: '0.1.1', arch: 'arm64' }, here)).toBe(
      'the package is for arm64 but this gateway is x64',
    );
    expect(
      commandRefusal(
        { version: '0.1.1', arch: 'x64' },
        { agentVersion: '0.1.0', nodeArch: 'ia32' },
      ),
    ).toBe('the package is for x64 but this gateway is ia32');
  });
});

describe("the updater's reading of systemctl show", () => {
  it('tells a running agent from one that exited or was killed', () => {
    expect(exitedFromShow('ExecMainCode=0\nExecMainStatus=0\n')).toBeUndefined();
    expect(exitedFromShow('ExecMainCode=1\nExecMainStatus=0\n')).toBeUndefined();
    expect(exitedFromShow('ExecMainCode=1\nExecMainStatus=1\n')).toBe('exited with code 1');
    expect(exitedFromShow('ExecMainCode=2\nExecMainStatus=9\n')).toBe('was killed by signal 9');
    expect(exitedFromShow('ExecMainCode=3\nExecMainStatus=6')).toBe('was killed by signal 6');
    expect(exitedFromShow('')).toBeUndefined();
  });
});
