import { describe, expect, it } from '@jest/globals';
import type { HistoryItem } from '../protocol/index.js';
import { historyChunks } from './history-chunks.js';

const item = (id: number, data: string): HistoryItem => ({ id, user: 'a', to: null, data, ts: 0 });

describe(historyChunks.name, () => {
  it('keeps an empty page as one empty chunk', () => {
    expect(historyChunks([], 1000)).toEqual([[]]);
  });

  it('cuts by bytes in order, each chunk within the bound', () => {
    const items = Array.from({ length: 10 }, (_, i) => item(i + 1, '字'.repeat(100))); // 300 B each
    const chunks = historyChunks(items, 1000);
    expect(chunks.flat()).toEqual(items);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, m) => sum + Buffer.byteLength(m.data) + 200, 0);
      expect(bytes).toBeLessThanOrEqual(1000);
    }
  });

  it('lets one oversized item through alone', () => {
    const big = item(1, 'x'.repeat(5000));
    expect(historyChunks([big, item(2, 'y')], 1000)).toEqual([[big], [item(2, 'y')]]);
  });
});
