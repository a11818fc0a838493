import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import { HANDLED_EVENTS } from '../protocol/index.js';
import { ChatGateway } from './chat.gateway.js';

describe('HANDLED_EVENTS', () => {
  it("names exactly ChatGateway's handlers (any other event is counted by the socket middleware)", () => {
    const prototype = ChatGateway.prototype as unknown as Record<string, unknown>;
    const handled = Object.getOwnPropertyNames(prototype)
      .map((name) => prototype[name])
      .filter((method) => typeof method === 'function')
      .filter((method) => Reflect.getMetadata(MESSAGE_MAPPING_METADATA, method))
      .map((method) => Reflect.getMetadata(MESSAGE_METADATA, method) as string);
    expect(handled.sort()).toEqual([...HANDLED_EVENTS].sort());
  });
});
