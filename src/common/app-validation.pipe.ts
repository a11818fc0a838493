import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { validationCode } from '../protocol/index.js';

/**
 * Recognises a payload that plainly passes every rule of `metatype` (a plain object with only
 * its keys, each valid), cheaply; undefined when it cannot tell.
 */
export type PlainCheck = (value: object, metatype: unknown) => object | undefined;

/**
 * The app's global ValidationPipe: every request body, query and parameter, and (Nest applies
 * global pipes to gateways too) every socket event's payload, before the gateway's own pipe.
 * `plainCheck`: payloads it recognises are let through as they are (nothing to strip, this pipe
 * does not transform), skipping class-transformer and class-validator, which cost more CPU per
 * chat message than storing it; anything else is validated as always.
 */
export class AppValidationPipe extends ValidationPipe {
  constructor(private readonly plainCheck?: PlainCheck) {
    super({
      whitelist: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const msg = errors
          .map((e) => Object.values(e.constraints ?? {})[0] ?? `${e.property} is invalid`)
          .join('; ');
        return new BadRequestException(msg, { errorCode: validationCode(msg) });
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      this.plainCheck &&
      metadata.type === 'body' &&
      typeof value === 'object' &&
      value !== null &&
      this.plainCheck(value, metadata.metatype)
    )
      return value;
    return super.transform(value, metadata);
  }
}
