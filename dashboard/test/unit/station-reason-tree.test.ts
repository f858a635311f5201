import { describe, expect, it } from 'vitest';
import { cameraBlock, luminance } from '../../src/station/camera';
import { reasonChoices } from '../../src/station/reason-tree';
import { seqsOfRuns } from '../../src/station/station-api';

const tree = [
  {
    id: 'mechanical',
    name: 'Mechanical',
    children: [
      { id: '10', name: 'Hydraulics' },
      { id: '11', name: 'Spindle' },
    ],
  },
  {
    id: 'setup',
    name: 'Setup',
    children: [
      { id: 'die-change', name: 'Die change' },
      { id: '12', name: 'Tool change' },
    ],
  },
  { id: 'material', name: 'Material', children: [{ id: '20', name: 'Waiting for material' }] },
  { id: 'other', name: 'Other' },
];

describe('the stop prompt (docs/dashboard.md "Station")', () => {
  it('keeps the plant order when nothing was used yet, groups first', () => {
    const choices = reasonChoices(tree, {});
    expect(choices.map((c) => c.id)).toEqual(['mechanical', 'setup', 'material', 'other']);
    expect(choices[3]!.children).toBeUndefined();
    expect(choices[0]!.children!.map((c) => c.id)).toEqual(['10', '11']);
  });

  it('puts the most used first at both levels, a group counting its reasons', () => {
    const choices = reasonChoices(tree, { '12': 3, 'die-change': 1, '11': 2, other: 5 });
    expect(choices.map((c) => [c.id, c.uses])).toEqual([
      ['other', 5],
      ['setup', 4],
      ['mechanical', 2],
      ['material', 0],
    ]);
    expect(choices[1]!.children!.map((c) => c.id)).toEqual(['12', 'die-change']);
    expect(choices[2]!.children!.map((c) => c.id)).toEqual(['11', '10']);
  });
});

describe('the camera', () => {
  it('is off over plain HTTP, and without a camera', () => {
    expect(cameraBlock({ isSecureContext: false, hasMediaDevices: true })).toBe('insecure');
    expect(cameraBlock({ isSecureContext: true, hasMediaDevices: false })).toBe('no-camera');
    expect(cameraBlock({ isSecureContext: true, hasMediaDevices: true })).toBeUndefined();
    expect(cameraBlock({ isSecureContext: true, hasMediaDevices: true, policyAllows: false })).toBe(
      'policy',
    );
  });

  it('turns RGBA into 8-bit luminance', () => {
    const rgba = new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255]);
    expect([...luminance(rgba, 3, 1)]).toEqual([255, 0, 76]);
  });
});

describe('the scans answer', () => {
  it('reads runs of acked seqs', () => {
    expect(
      seqsOfRuns([
        [1, 3],
        [5, 5],
      ]),
    ).toEqual([1, 2, 3, 5]);
    expect(seqsOfRuns([])).toEqual([]);
  });
});
