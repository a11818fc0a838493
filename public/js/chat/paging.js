// Older messages: GET /messages pages back through the shown conversation when it is scrolled to
// the top (or too short to scroll), once the first catch-up is in.
import { http } from '../api.js';
import { t } from '../i18n.js';
import { HISTORY_PAGE } from '../protocol.js';
import { dom, showHint } from './dom.js';
import { keyOf, model, oldestId } from './model.js';
import { receive } from './messages.js';
import { session } from './session.js';

const NEAR_TOP_PX = 40;

/** The first catch-up is in: older pages start where it ends. */
let historyReady = false;

/** The first connection's catch-up is complete: page back from now on. */
export function historyArrived() {
  historyReady = true;
  maybeLoadOlder();
}

/** Loads older messages when the shown conversation is scrolled to the top (or too short to scroll). */
export function maybeLoadOlder() {
  const conv = model.current;
  if (!conv || !historyReady || conv.exhausted || conv.loadingOlder) return;
  if (dom.chatArea.scrollTop > NEAR_TOP_PX) return;
  loadOlder(conv);
}

function loadOlder(conv) {
  const chatArea = dom.chatArea;
  conv.loadingOlder = true;
  if (conv === model.current) chatArea.classList.add('loading-older');
  const params = { with: conv.key, limit: HISTORY_PAGE };
  const before = oldestId(conv);
  if (before !== null) params.before = before;
  http
    .get('/messages', { params, timeout: 15000 })
    .then((res) => {
      const body = res.data || {};
      const list = body.status === 1 && Array.isArray(body.data) ? body.data : [];
      const wasShown = conv === model.current;
      const height = chatArea.scrollHeight;
      const top = chatArea.scrollTop;
      let added = 0;
      for (const msg of list) {
        // an older page must not change where the conversation is filed
        if (msg && typeof msg === 'object' && keyOf(msg) !== conv.key) continue;
        if (receive(msg, 'older')) added += 1;
      }
      if (list.length === 0) conv.exhausted = true;
      // a page of messages all known already (overlap) moves the cursor on anyway
      if (list.length > 0 && added === 0 && oldestId(conv) === before) conv.exhausted = true;
      if (wasShown && conv === model.current) {
        chatArea.scrollTop = chatArea.scrollHeight - height + top; // keep the reader's place
      }
    })
    .catch((err) => {
      if (session.leaving) return;
      if (err && err.response && err.response.status === 401) return; // api.js goes to login
      if (conv === model.current) showHint(t('chat.olderFailed'), 'warn');
      conv.retryOlderAt = Date.now() + 5000;
    })
    .then(() => {
      conv.loadingOlder = false;
      chatArea.classList.remove('loading-older');
      if (
        conv === model.current &&
        !conv.exhausted &&
        (!conv.retryOlderAt || Date.now() > conv.retryOlderAt)
      ) {
        // still at the top, or too short to scroll: keep going
        if (chatArea.scrollHeight <= chatArea.clientHeight + NEAR_TOP_PX) maybeLoadOlder();
      }
    });
}

/** Scrolling to the top of #chatArea asks for the page before. */
export function watchScroll() {
  dom.chatArea.addEventListener('scroll', () => {
    if (dom.chatArea.scrollTop <= NEAR_TOP_PX) {
      const conv = model.current;
      if (conv && conv.retryOlderAt && Date.now() < conv.retryOlderAt) return;
      maybeLoadOlder();
    }
  });
}
