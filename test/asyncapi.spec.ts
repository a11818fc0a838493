import { beforeAll, describe, expect, it } from '@jest/globals';
import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root.js';
import { ChatEvent, ERROR_MESSAGES } from '../src/protocol/index.js';

/** DiagnosticSeverity.Error of the parser's diagnostics (spectral's numbering). */
const SEVERITY_ERROR: number = 0;

/** docs/asyncapi.yaml: the socket protocol, one channel per event of src/protocol/events.ts. */
describe('AsyncAPI document', () => {
  const yaml = readFileSync(join(projectRoot(), 'docs/asyncapi.yaml'), 'utf8');

  let parsed: Awaited<ReturnType<Parser['parse']>>;
  const parse = () => parsed.document!;

  beforeAll(async () => {
    parsed = await new Parser().parse(yaml);
  }, 60_000);

  it('parses as AsyncAPI 3 without errors', () => {
    const errors = parsed.diagnostics.filter((d) => Number(d.severity) === SEVERITY_ERROR);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(parsed.document?.version()).toMatch(/^3\./);
  });

  it('documents exactly the protocol’s events', () => {
    const document = parse();
    const channels = document.channels().all();
    const addresses = channels.map((channel) => channel.address());
    expect([...addresses].sort()).toEqual(Object.values(ChatEvent).sort());
    // Each message of a channel is named after its event (acknowledgements are not events).
    for (const channel of channels) {
      for (const message of channel.messages().all()) {
        if (message.title() === 'AckResponse') continue;
        expect([channel.address(), message.name()]).toEqual([channel.address(), channel.address()]);
      }
    }
  });

  it('has acknowledgements for 2 and 3 and the error codes of the server', () => {
    const document = parse();
    const replies = document
      .operations()
      .all()
      .filter((operation) => operation.reply() !== undefined)
      .map((operation) => operation.channels().all()[0].address());
    expect(replies.sort()).toEqual([ChatEvent.GroupChat, ChatEvent.SingleChat]);
    const codes = document.components().schemas().get('ErrorCode')?.enum();
    expect(codes).toEqual(Object.keys(ERROR_MESSAGES));
  });
});
