import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { MAX_JSON_DEPTH, TOO_DEEPLY_NESTED } from '../protocol/index.js';
import { nestedDeeperThan } from './json-depth.js';

/**
 * Refuses too deeply nested input with 400 before the ValidationPipe transforms it (which would
 * overflow the stack). Global pipes also reach gateways, and run before theirs.
 */
@Injectable()
export class DepthLimitPipe implements PipeTransform {
  transform(value: unknown): unknown {
    if (nestedDeeperThan(value, MAX_JSON_DEPTH)) throw new BadRequestException(TOO_DEEPLY_NESTED);
    return value;
  }
}
