import { type ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { nestedDeeperThan } from '../common/json-depth.js';
import { plainMessage } from './dto/plain-message.js';
import {
  coded,
  MAX_JSON_DEPTH,
  PAYLOAD_ERRORS,
  TOO_DEEPLY_NESTED,
  validationCode,
} from '../protocol/index.js';

/** Validates event payloads; any refusal becomes a WsException with one clear sentence. */
@Injectable()
export class WsValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const first = errors[0];
        const message = first ? Object.values(first.constraints ?? {})[0] : undefined;
        const msg = message ?? PAYLOAD_ERRORS.invalid;
        return new WsException(coded(validationCode(msg), msg));
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      throw new WsException(coded('validation_failed', PAYLOAD_ERRORS.notAnObject));
    }
    if (nestedDeeperThan(value, MAX_JSON_DEPTH)) throw new WsException(TOO_DEEPLY_NESTED);
    if (metadata.type === 'body') {
      // A chat message that plainly passes: the same DTO without class-transformer/-validator.
      const message = plainMessage(value as object, metadata.metatype);
      if (message) return message;
    }
    return super.transform(value, metadata);
  }
}
