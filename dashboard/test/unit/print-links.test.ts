import { describe, expect, it } from 'vitest';
import { stationCardsUrl, travellerUrl } from '../../src/lib/print-links';

describe('print links', () => {
  it("point at an order's traveller and a station's cards, ids encoded", () => {
    expect(travellerUrl('WO-24117')).toBe('/api/work-orders/WO-24117/traveller.pdf');
    expect(stationCardsUrl('press-01')).toBe('/api/stations/press-01/cards.pdf');
    expect(stationCardsUrl('a b')).toBe('/api/stations/a%20b/cards.pdf');
  });
});
