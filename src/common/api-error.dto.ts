import { ApiProperty } from '@nestjs/swagger';
import { ERROR_MESSAGES, type ErrorCode } from '../protocol/index.js';

/** Every HTTP error body, for the OpenAPI document (http-error.filter.ts sends it). */
export class ApiErrorBody {
  @ApiProperty({ enum: [0], example: 0 })
  status: 0;

  @ApiProperty({
    enum: Object.keys(ERROR_MESSAGES),
    enumName: 'ErrorCode',
    description:
      'Stable, for programs (docs/protocol.md "Error codes"). An error without a code of its own has the code of its HTTP status.',
  })
  code: ErrorCode;

  @ApiProperty({ description: 'An English sentence for people; may be reworded.' })
  msg: string;
}
