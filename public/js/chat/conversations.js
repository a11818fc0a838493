// The sidebar (the conversations with their unread counts, and who is online) and what follows
// the chosen conversation: the recipient #select, the composer's mode and header, the title.
import { t } from '../i18n.js';
import { GROUP } from '../protocol.js';
import { dom } from './dom.js';
import { addConversation, conversations, lastActivity, model, text, totalUnread } from './model.js';
import { avatar } from './render.js';

const baseTitle = t('chat.title');

/** The conversation with this key, new ones added to the sidebar. */
export function conversation(key) {
  const conv = conversations.get(key);
  if (conv) return conv;
  const created = addConversation(key);
  renderConversationList();
  return created;
}

/** The tab's title, with the number of unread messages in front. */
export function updateTitle() {
  const total = totalUnread();
  document.title = total ? '(' + total + ') ' + baseTitle : baseTitle;
}

/** The sidebar's conversations: the group first, then the most recent private ones. */
export function renderConversationList() {
  const convs = Array.from(conversations.values());
  const group = conversations.get(GROUP);
  const peers = convs
    .filter((c) => !c.group)
    .sort((a, b) => lastActivity(b) - lastActivity(a) || a.key.localeCompare(b.key));
  const items = [];
  for (const conv of group ? [group, ...peers] : peers) {
    if (!conv.el) conv.el = conversationItem(conv);
    updateConversationItem(conv);
    items.push(conv.el);
  }
  dom.convList.replaceChildren(...items);
  updateTitle();
}

function conversationItem(conv) {
  const li = document.createElement('li');
  li.dataset.conv = conv.key;
  li.tabIndex = 0;
  li.setAttribute('role', 'button');
  const name = document.createElement('span');
  name.className = 'conv-name';
  name.textContent = conv.group ? t('chat.group') : conv.key;
  const badge = document.createElement('span');
  badge.className = 'conv-badge';
  badge.hidden = true;
  li.append(avatar(conv.key, conv.group), name, badge);
  return li;
}

export function updateConversationItem(conv) {
  const li = conv.el;
  if (!li) return;
  const selected = conv === model.current;
  li.classList.toggle('selected', selected);
  li.setAttribute('aria-pressed', String(selected));
  li.classList.toggle('is-online', !conv.group && model.online.includes(conv.key));
  li.classList.toggle('has-unread', conv.unread > 0);
  const badge = li.querySelector('.conv-badge');
  badge.textContent = String(conv.unread);
  badge.hidden = conv.unread === 0;
  badge.setAttribute('aria-label', t('chat.unreadCount', { count: conv.unread }));
}

export function addUnread(conv, count) {
  conv.unread += count;
  updateConversationItem(conv);
  updateTitle();
}

/** #select: GROUP, one option per online user, and the open peer even when offline. */
export function fillSelect() {
  const everyone = document.createElement('option');
  everyone.value = GROUP;
  everyone.textContent = t('chat.everyone');
  const options = [everyone];
  for (const name of model.online) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name === model.me ? name + ' (' + t('chat.you') + ')' : name;
    options.push(option);
  }
  const key = model.current ? model.current.key : GROUP;
  if (key !== GROUP && !model.online.includes(key)) {
    const option = document.createElement('option');
    option.value = key;
    option.className = 'offline';
    option.textContent = key + ' (' + t('chat.offline') + ')';
    options.push(option);
  }
  dom.select.replaceChildren(...options);
  dom.select.value = key;
}

/** The composer and the header follow the current conversation: group or private, offline. */
export function updateComposerMode() {
  const key = model.current ? model.current.key : GROUP;
  const isPrivate = key !== GROUP;
  const offline = isPrivate && !model.online.includes(key);
  dom.form.classList.toggle('is-private', isPrivate);
  dom.input.placeholder = isPrivate
    ? t('chat.placeholder.private', { name: key })
    : t('chat.placeholder.group');
  dom.convName.textContent = isPrivate ? key : t('chat.groupLong');
  dom.convState.textContent = offline ? t('chat.offline') : '';
  dom.convState.hidden = !offline;
  dom.onlineList.querySelectorAll('li').forEach((li) => {
    li.classList.toggle('selected', li.dataset.user === key);
    li.setAttribute('aria-pressed', String(li.dataset.user === key));
  });
}

/** The online list ('1', or the one kept up to date by 'presence'): sidebar, #select, composer. */
export function updateOnline(list) {
  const names = [];
  if (Array.isArray(list)) {
    for (const item of list) {
      const name = text(item);
      if (name && !names.includes(name)) names.push(name);
    }
  }
  const me = model.me;
  names.sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
  model.online = names;

  const items = [];
  for (const name of names) {
    const li = document.createElement('li');
    li.dataset.user = name;
    li.tabIndex = 0;
    li.setAttribute('role', 'button');
    if (name === me) li.classList.add('me');
    const label = document.createElement('span');
    label.className = 'online-name';
    label.textContent = name;
    li.append(avatar(name), label);
    if (name === me) {
      const you = document.createElement('span');
      you.className = 'you';
      you.textContent = t('chat.you');
      li.appendChild(you);
    }
    items.push(li);
  }
  dom.onlineList.replaceChildren(...items);
  dom.onlineCount.textContent = String(names.length);
  for (const conv of conversations.values()) updateConversationItem(conv);
  fillSelect();
  updateComposerMode();
}
