import { WsException } from '@nestjs/websockets';

/**
 * A refusal that says nothing about the message itself (the database is away, the server is
 * restarting, the sender is over the rate): the acknowledgement carries `retry: true`, and the
 * client should send the same message again, with the same cid, a little later.
 */
export class RetryableWsException extends WsException {}
