// "Someone is typing": we tell the server at most every TYPING_EVERY_MS while typing, and show
// others' notices under the current conversation until TYPING_SHOWN_MS after their last one.
import { t } from '../i18n.js';
import { ChatEvent, GROUP } from '../protocol.js';
import { dom } from './dom.js';
import { conversations, model, text } from './model.js';
import { connected, session } from './session.js';

const TYPING_EVERY_MS = 2000; // we tell the server at most this often
const TYPING_SHOWN_MS = 4000; // someone else's indicator lasts this long after their last event

let lastTypingSent = { to: null, at: 0 };

/** We are typing in the current conversation. */
export function typingNow() {
  if (!connected() || !model.current) return;
  const to = model.current.key;
  const now = Date.now();
  if (lastTypingSent.to === to && now - lastTypingSent.at < TYPING_EVERY_MS) return;
  lastTypingSent = { to, at: now };
  session.socket.emit(ChatEvent.Typing, { to });
}

/** A message was sent: the next keystroke says "typing" again at once. */
export function resetTypingThrottle() {
  lastTypingSent = { to: null, at: 0 };
}

/** 'typing' from the server: `to` is GROUP or us. */
export function someoneTyping(msg) {
  if (!msg || typeof msg !== 'object') return;
  const me = model.me;
  const user = text(msg.user);
  if (!user || user === me) return;
  const to = text(msg.to);
  const key = to === GROUP ? GROUP : to === me ? user : null;
  if (!key) return;
  const conv = conversations.get(key); // someone we have no conversation with is not shown
  if (!conv) return;
  clearTimeout(conv.typing.get(user));
  conv.typing.set(
    user,
    setTimeout(() => stopTyping(conv, user), TYPING_SHOWN_MS),
  );
  if (conv === model.current) renderTyping();
}

/** The user stopped typing there (a message of theirs arrived, or their indicator ran out). */
export function stopTyping(conv, user) {
  if (!conv.typing.has(user)) return;
  clearTimeout(conv.typing.get(user));
  conv.typing.delete(user);
  if (conv === model.current) renderTyping();
}

/** The line under the current conversation. */
export function renderTyping() {
  const current = model.current;
  const names = current ? Array.from(current.typing.keys()) : [];
  let line = '';
  if (names.length === 1) line = t('chat.typingOne', { name: names[0] });
  else if (names.length === 2) line = t('chat.typingTwo', { a: names[0], b: names[1] });
  else if (names.length > 2) line = t('chat.typingMany');
  dom.typing.textContent = line;
  dom.typing.hidden = !line;
}
