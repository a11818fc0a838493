import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { HistoryItem as WireHistoryItem } from '../../protocol/index.js';

/** protocol/payloads.ts HistoryItem, for the OpenAPI document (GET /messages). */
class HistoryItem implements WireHistoryItem {
  @ApiProperty({ example: 42 })
  id: number;

  @ApiProperty({ description: 'the author', example: 'alice' })
  user: string;

  @ApiProperty({ type: String, nullable: true, description: 'null: the group; else the recipient' })
  to: string | null;

  @ApiProperty({ description: 'the text, exactly as sent' })
  data: string;

  @ApiProperty({ description: 'when it was stored, in ms since the epoch' })
  ts: number;

  @ApiPropertyOptional({ description: "the sender's own id for the message" })
  cid?: string;

  @ApiPropertyOptional({
    enum: [true],
    description: 'the other account of this message has been removed',
  })
  removed?: true;
}

export class HistoryResponse {
  @ApiProperty({ enum: [1], example: 1 })
  status: 1;

  @ApiProperty({ type: [HistoryItem], description: 'oldest first; empty: nothing older' })
  data: HistoryItem[];
}
