import { codeOf, type ErrorCode, type ErrorNotice } from '../protocol/index.js';

/** Event 0's payload for this message; its code is found by codeOf unless given. */
export function errorNotice(msg: string, code: ErrorCode = codeOf(msg)): ErrorNotice {
  return { user: '', data: msg, code };
}

/**
 * A refused handshake: the client's connect_error has this message and `data: { code }` (what
 * socket.io passes on from the error given to `next`).
 */
export function handshakeError(msg: string, code: ErrorCode = codeOf(msg)): Error {
  return Object.assign(new Error(msg), { data: { code } });
}
