// What the reader does in the page: pick a conversation (sidebar, online list, #select) and send
// from the composer.
import { t } from '../i18n.js';
import { GROUP, MAX_TEXT_LENGTH } from '../protocol.js';
import {
  conversation,
  fillSelect,
  updateComposerMode,
  updateConversationItem,
  updateTitle,
} from './conversations.js';
import { dom, isNearBottom, scrollToBottom, showHint } from './dom.js';
import { model } from './model.js';
import { sendMessage } from './outbox.js';
import { maybeLoadOlder } from './paging.js';
import { clearUnreadMarkers } from './render.js';
import { connected } from './session.js';
import { renderTyping, resetTypingThrottle, typingNow } from './typing.js';

/** Shows a conversation in #chatArea, clears its unread count and points #select at it. */
export function openConversation(key, options) {
  const chatArea = dom.chatArea;
  const conv = conversation(key);
  const previous = model.current;
  if (previous && previous !== conv) {
    previous.scrollTop = isNearBottom() ? null : chatArea.scrollTop;
    clearUnreadMarkers(previous); // seen while it was open
  }
  model.current = conv;
  chatArea.replaceChildren(...conv.items.map((rec) => rec.el));
  if (conv.scrollTop === null) scrollToBottom();
  else chatArea.scrollTop = conv.scrollTop;
  if (conv.unread) {
    conv.unread = 0;
    updateTitle();
  }
  if (previous) updateConversationItem(previous);
  updateConversationItem(conv);
  fillSelect();
  updateComposerMode();
  renderTyping();
  if (!options || !options.keepHint) showHint('');
  maybeLoadOlder();
}

/** Opening a private conversation with someone offline says that they will read it later. */
function hintIfOffline(key) {
  if (key !== GROUP && !model.online.includes(key)) {
    showHint(t('chat.peerOffline', { name: key }), 'info');
  }
}

/** A click, Enter or Space on an item of this list opens what its attribute names. */
function onActivate(list, attribute, open) {
  function pick(event) {
    const li = event.target.closest('li[' + attribute + ']');
    if (!li || !list.contains(li)) return;
    open(li.getAttribute(attribute));
    dom.input.focus();
  }
  list.addEventListener('click', pick);
  list.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      pick(event);
    }
  });
}

export function wireUi() {
  const { form, input, hint, select } = dom;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value;
    if (value.trim() === '') {
      showHint(t('chat.empty'), 'warn');
      input.focus();
      return;
    }
    if (value.length > MAX_TEXT_LENGTH) {
      showHint(t('chat.tooLong', { max: MAX_TEXT_LENGTH }), 'warn');
      input.focus();
      return;
    }
    if (!model.me) {
      showHint(t('chat.notConnected'), 'warn');
      return;
    }
    const key = model.current ? model.current.key : GROUP;
    sendMessage(value, key);
    resetTypingThrottle();
    input.value = '';
    if (!connected()) showHint(t('chat.queued'), 'info');
    else showHint('');
    input.focus();
  });

  input.addEventListener('input', () => {
    if (!hint.hidden && hint.textContent !== t('chat.queued')) showHint('');
    if (input.value.trim() !== '') typingNow();
  });

  select.addEventListener('change', () => {
    openConversation(select.value || GROUP);
    hintIfOffline(model.current.key);
  });

  onActivate(dom.convList, 'data-conv', (key) => {
    openConversation(key);
    hintIfOffline(key);
  });
  onActivate(dom.onlineList, 'data-user', (name) => openConversation(name));
}
