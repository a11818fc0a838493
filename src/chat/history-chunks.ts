import type { HistoryItem } from '../protocol/index.js';

/** What an item costs on the wire beside its text: ids, names, timestamp, JSON punctuation. */
const ITEM_OVERHEAD_BYTES = 200;

/**
 * Splits one catch-up page into `history` events of at most `maxBytes` each (one item more if a
 * single item is larger), so that no event alone can exceed what a client may leave unread
 * (SLOW_CONSUMER_BYTES): 500 messages of 2,000 Chinese characters would be 3 MB. Always at least
 * one chunk, even for an empty page (the page's `done` must still go out).
 */
export function historyChunks(items: HistoryItem[], maxBytes: number): HistoryItem[][] {
  const chunks: HistoryItem[][] = [[]];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.data) + ITEM_OVERHEAD_BYTES;
    const current = chunks[chunks.length - 1];
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push([item]);
      bytes = size;
    } else {
      current.push(item);
      bytes += size;
    }
  }
  return chunks;
}
