import { join } from 'node:path';
import {
  gatewayConfigSchema,
  loadYamlConfig,
  plantModelSchema,
  type PlantModel,
} from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { renderCards } from '../../src/print/cards';
import { ACTION_CARDS, cardSheet, stationsOf, travellerCode } from '../../src/print/codes';
import { CJK_FONT_PATH, printFont } from '../../src/print/pdf';
import { renderTraveller, type TravellerData } from '../../src/print/traveller';
import { readPdf } from '../helpers/pdf-read';

const repo = join(import.meta.dirname, '../../..');
const demoPlant = loadYamlConfig(join(repo, 'ingest/plant/demo-plant.yaml'), plantModelSchema);

/** The demo scanner's patterns: what a station makes of a printed code. */
const scanner = (() => {
  const gateway = loadYamlConfig(
    join(repo, 'firmware-configs/demo-gateway.yaml'),
    gatewayConfigSchema,
  );
  const device = gateway.devices.find((d) => d.driver === 'serial-scanner')!;
  return ('patterns' in device ? device.patterns : []).map((p) => ({
    name: p.name,
    regex: new RegExp(p.regex),
    set: p.set ?? {},
  }));
})();
function scan(code: string): Record<string, string> | undefined {
  for (const p of scanner) {
    const match = p.regex.exec(code);
    if (match) return { pattern: p.name, ...p.set, ...match.groups };
  }
  return undefined;
}

/** The demo plant with other andon calls than its own (one for cnc-01 only) and a listed station. */
const withAndon: PlantModel = plantModelSchema.parse({
  ...demoPlant,
  alerts: {
    ...demoPlant.alerts,
    rules: [
      ...demoPlant.alerts.rules.filter((r) => r.kind !== 'andon'),
      {
        id: 'andon-maint',
        name: 'Call maintenance',
        kind: 'andon',
        call: 'maintenance',
        label: { 'zh-CN': '呼叫维修' },
      },
      {
        id: 'andon-line-b',
        name: 'Line B lead',
        kind: 'andon',
        call: 'lead',
        stations: ['cnc-01'],
      },
    ],
  },
  stations: { list: [{ id: 'assembly-01', name: 'Assembly 01' }] },
});

describe('printed codes (docs/work-orders.md "Travellers and cards")', () => {
  it('a traveller code is what the station scanner reads as that order and operation', () => {
    expect(travellerCode('WO-24117', 'OP10')).toBe('WO-24117|OP10');
    expect(scan(travellerCode('WO-24117', 'OP10'))).toMatchObject({
      pattern: 'traveller',
      workOrder: 'WO-24117',
      operation: 'OP10',
      action: 'start',
    });
  });

  it('a station gets the action cards, a card per leaf reason that fits R<digits>, the rejects and its andon calls', () => {
    const sheet = cardSheet(withAndon, { id: 'press-01', name: 'Press 01' });
    expect(sheet.cards.map((c) => c.code)).toEqual([
      'ACT:PAUSE',
      'ACT:COMPLETE',
      'ACT:LOGOUT',
      'ACT:CHANGEOVER',
      'ACT:CLEANING',
      'ACT:MAINTENANCE',
      'ACT:PRODUCTION',
      'R10',
      'R11',
      'R12',
      'R20',
      'REJ:1:burr',
      'REJ:1:dimension',
      'ANDON:maintenance',
    ]);
    // Leaves whose ids no reason card can carry.
    expect(sheet.withoutCard.map((w) => w.code)).toEqual(['Rdie-change', 'Rother']);
    expect(sheet.cards.find((c) => c.code === 'ANDON:maintenance')?.labelZh).toBe('呼叫维修');
    // A rule that names its stations is printed at those only.
    const cnc = cardSheet(withAndon, { id: 'cnc-01', name: 'CNC 01' });
    expect(cnc.cards.filter((c) => c.kind === 'andon').map((c) => c.code)).toEqual([
      'ANDON:maintenance',
      'ANDON:lead',
    ]);
  });

  it('every card but the andon calls is read by the station scanner as the action it names', () => {
    const sheet = cardSheet(withAndon, { id: 'press-01', name: 'Press 01' });
    const read = sheet.cards.filter((c) => c.kind !== 'andon').map((c) => scan(c.code));
    expect(read.map((r) => r?.pattern)).toEqual([
      ...ACTION_CARDS.map(() => 'action-card'),
      ...['reason-card', 'reason-card', 'reason-card', 'reason-card'],
      ...['reject-pieces', 'reject-pieces'],
    ]);
    expect(read.slice(0, ACTION_CARDS.length).map((r) => r?.action)).toEqual([
      'PAUSE',
      'COMPLETE',
      'LOGOUT',
      'CHANGEOVER',
      'CLEANING',
      'MAINTENANCE',
      'PRODUCTION',
    ]);
    expect(read.at(-1)).toMatchObject({ action: 'reject', quantity: '1', reason: 'dimension' });
  });

  it('stations are the machines, then the stations the plant lists', () => {
    expect(stationsOf(withAndon).map((s) => s.id)).toEqual([
      'press-01',
      'press-02',
      'cnc-01',
      'cnc-02',
      'assembly-01',
    ]);
    expect(stationsOf(undefined)).toEqual([]);
  });
});

const order: TravellerData = {
  order: {
    id: 'WO-30001',
    product: 'bracket-b12',
    productName: 'Bracket B12',
    quantity: 240,
    customer: '苏州精工',
    dueAt: null,
    priority: 1,
  },
  operations: Array.from({ length: 14 }, (_, i) => ({
    id: `OP${(i + 1) * 10}`,
    machine: 'press-01',
    machineName: 'Press 01',
  })),
  site: 'Demo plant',
  timeZone: 'UTC',
  printedAt: Date.UTC(2026, 11, 1),
};

describe('rendering', () => {
  it('without the CJK font: a warning, and the traveller in Helvetica with ASCII text', async () => {
    const warnings: unknown[] = [];
    const font = printFont({ warn: (...args: unknown[]) => warnings.push(args) }, '/nope.ttc');
    expect(font.file).toBeUndefined();
    expect(warnings).toHaveLength(1);
    const pdf = await readPdf(await renderTraveller(order, font));
    const text = pdf.text.join(' ');
    expect(text).toContain('WO-30001');
    expect(text).toContain('????'); // the customer's four letters
    expect(text).not.toMatch(/[^\x20-\x7e]/);
    expect(pdf.barcodes).toContain('WO-30001|OP140');
  });

  it('a long routing takes more pages, each with the order barcode and its rows', async () => {
    const pdf = await readPdf(await renderTraveller(order, printFont(console, CJK_FONT_PATH)));
    expect(pdf.pages).toBe(2);
    const ops = order.operations.map((op) => `WO-30001|${op.id}`);
    expect(pdf.barcodes.filter((c) => c === 'WO-30001')).toHaveLength(2);
    expect(pdf.barcodes.filter((c) => c !== 'WO-30001')).toEqual(ops);
    expect(pdf.text[1]).toContain('WO-30001');
  });

  it('a card sheet with more than ten cards goes on, and notes the reasons it has no card for', async () => {
    const sheet = cardSheet(withAndon, { id: 'press-01', name: 'Press 01' });
    const pdf = await readPdf(await renderCards(sheet, printFont(console, CJK_FONT_PATH)));
    expect(pdf.pages).toBe(2);
    expect(pdf.barcodes).toEqual(sheet.cards.map((c) => c.code));
    expect(pdf.text.join(' ')).toContain('呼叫维修');
    expect(pdf.text.at(-1)).toContain('Rdie-change');
  });
});
