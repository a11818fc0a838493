// The chat page's elements (public/chat.html), each found once by its id, and the small helpers
// on them that every part uses: the hint under the composer, the connection status, the scroll.
import { t } from '../i18n.js';

const byId = (id) => document.getElementById(id);

export const dom = {
  user: byId('user'),
  chatArea: byId('chatArea'),
  form: byId('composer'),
  input: byId('message'),
  select: byId('select'),
  hint: byId('hint'),
  onlineList: byId('online'),
  onlineCount: byId('onlineCount'),
  convList: byId('conversations'),
  convName: byId('convName'),
  convState: byId('convState'),
  typing: byId('typing'),
  logout: byId('logout'),
  status: byId('status'),
  statusText: byId('statusText'),
};

/** The connection line: connecting, connected, reconnecting or unavailable. */
export function setStatus(state) {
  dom.status.dataset.state = state;
  dom.statusText.textContent = t('chat.' + state);
}

/** The line under the composer; kind: 'warn', 'info' or none. An empty message hides it. */
export function showHint(message, kind) {
  dom.hint.textContent = message;
  dom.hint.className = 'hint' + (kind ? ' hint-' + kind : '');
  dom.hint.hidden = !message;
}

export function isNearBottom() {
  const area = dom.chatArea;
  return area.scrollHeight - area.scrollTop - area.clientHeight < 80;
}

export function scrollToBottom() {
  dom.chatArea.scrollTop = dom.chatArea.scrollHeight;
}
