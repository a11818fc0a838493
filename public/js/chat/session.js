// This tab's session: its socket, and leaving for the login page (once).
import { goLogin } from '../api.js';

export const session = {
  /** The Socket.IO connection (socket.js), null until the first connect. */
  socket: null,
  /** On the way to the login page: nothing more is started or shown. */
  leaving: false,
  /** Sign out clicked: POST /logout is on its way; connection errors no longer matter. */
  loggingOut: false,
};

/** The socket is open: what is emitted now reaches the server. */
export function connected() {
  return Boolean(session.socket && session.socket.connected);
}

/** Closes the socket and goes to the login page; noticeKey (an i18n key) is shown there. */
export function leave(noticeKey) {
  if (session.leaving) return;
  session.leaving = true;
  if (session.socket) session.socket.disconnect();
  goLogin(noticeKey);
}
