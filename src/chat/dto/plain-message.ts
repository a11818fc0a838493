import { MAX_TEXT_LENGTH } from '../../protocol/index.js';
import { isValidUsername } from '../../users/user-rules.js';
import { BLANK, CID_PATTERN, GroupMessageDto, PrivateMessageDto } from './chat-message.dto.js';

/** The keys each message DTO takes; any other key sends the payload the long way. */
const KEYS = new Map<unknown, readonly string[]>([
  [GroupMessageDto, ['data', 'cid']],
  [PrivateMessageDto, ['data', 'cid', 'to']],
]);

/**
 * Events 2 and 3 are most of what clients send, and class-transformer plus class-validator
 * cost more CPU per message than storing it. This takes a payload that plainly passes every
 * rule of GroupMessageDto / PrivateMessageDto (a plain object with only their keys, each valid)
 * and gives the DTO instance ValidationPipe would give; anything else (a refusal, an unknown
 * key, a binary value, a text longer than MAX_TEXT_LENGTH code units, which may still be short
 * enough in characters) gets undefined, and goes through class-validator, which words the
 * refusal exactly as before.
 */
export function plainMessage(
  value: object,
  metatype: unknown,
): GroupMessageDto | PrivateMessageDto | undefined {
  const keys = KEYS.get(metatype);
  if (!keys || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  for (const key of Object.keys(value)) if (!keys.includes(key)) return undefined;
  const { data, cid, to } = value as Record<string, unknown>;
  if (
    typeof data !== 'string' ||
    data.length > MAX_TEXT_LENGTH ||
    BLANK.test(data) ||
    !(data as string & { isWellFormed(): boolean }).isWellFormed()
  )
    return undefined;
  if (cid !== undefined && (typeof cid !== 'string' || !CID_PATTERN.test(cid))) return undefined;
  if (metatype === PrivateMessageDto) {
    if (!isValidUsername(to)) return undefined;
    return Object.assign(new PrivateMessageDto(), { data, cid, to });
  }
  return Object.assign(new GroupMessageDto(), { data, cid });
}
