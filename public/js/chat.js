// Chat page: checks the kept token with GET /userinfo (api.js adds the header and sends a 401 to
// the login page), then joins the chat over Socket.IO with io({auth: {token}}).
// Events (PROTOCOL.md): '0' error, '1' online list, '2' group chat, '3' private chat.
(function () {
  'use strict';

  const { t, apply } = window.I18n;
  const Api = window.Api;

  const EV_ERROR = '0';
  const EV_ONLINE = '1';
  const EV_GROUP = '2';
  const EV_PRIVATE = '3';
  const MAX_LENGTH = 2000;
  const MAX_RENDERED = 500;
  const AUTH_ERRORS = ['unauthorized', 'token expired'];

  // No token at all: straight to the login page.
  if (!Api.getToken()) {
    location.replace('login.html');
    return;
  }

  apply();
  document.title = t('chat.title');

  const userEl = document.getElementById('user');
  const chatArea = document.getElementById('chatArea');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const select = document.getElementById('select');
  const hint = document.getElementById('hint');
  const onlineList = document.getElementById('online');
  const onlineCount = document.getElementById('onlineCount');
  const logoutButton = document.getElementById('logout');
  const statusEl = document.getElementById('status');
  const statusText = document.getElementById('statusText');

  input.maxLength = MAX_LENGTH;

  let me = '';
  let socket = null;
  let leaving = false;
  let online = [];
  const seenIds = new Set();

  // ---------------------------------------------------------------- helpers

  function leave(noticeKey) {
    if (leaving) return;
    leaving = true;
    if (socket) socket.disconnect();
    Api.goLogin(noticeKey);
  }

  function setStatus(state) {
    statusEl.dataset.state = state;
    statusText.textContent = t('chat.' + state);
  }

  function showHint(text, kind) {
    hint.textContent = text;
    hint.className = 'hint' + (kind ? ' hint-' + kind : '');
    hint.hidden = !text;
  }

  function toDate(ts) {
    let value = ts;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
      value = Number(value);
    }
    let date = null;
    if (typeof value === 'number' && Number.isFinite(value)) {
      date = new Date(value < 1e12 ? value * 1000 : value); // seconds or milliseconds
    } else if (typeof value === 'string' && value) {
      date = new Date(value);
    }
    return date && !Number.isNaN(date.getTime()) ? date : new Date();
  }

  function timeElement(ts) {
    const date = toDate(ts);
    const time = document.createElement('time');
    time.className = 'msg-time';
    time.dateTime = date.toISOString();
    time.title = date.toLocaleString();
    time.textContent =
      String(date.getHours()).padStart(2, '0') + ':' + String(date.getMinutes()).padStart(2, '0');
    return time;
  }

  function hueClass(name) {
    let hash = 0;
    for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
    return 'hue-' + (hash % 8);
  }

  function avatar(name) {
    const span = document.createElement('span');
    span.className = 'avatar ' + hueClass(name);
    span.setAttribute('aria-hidden', 'true');
    span.textContent = (Array.from(name)[0] || '?').toUpperCase();
    return span;
  }

  function text(value) {
    if (typeof value === 'string') return value;
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  function isNearBottom() {
    return chatArea.scrollHeight - chatArea.scrollTop - chatArea.clientHeight < 80;
  }

  function append(li, forceScroll) {
    const stick = forceScroll || isNearBottom();
    chatArea.appendChild(li);
    while (chatArea.children.length > MAX_RENDERED) chatArea.firstElementChild.remove();
    if (stick) chatArea.scrollTop = chatArea.scrollHeight;
  }

  // A centred line: the server's welcome text ('system') or an error notice ('error').
  function addNotice(kind, value) {
    const li = document.createElement('li');
    li.className = 'notice-line ' + kind;
    const body = document.createElement('span');
    body.className = 'notice-text';
    if (kind === 'error') {
      const label = document.createElement('strong');
      label.textContent = t('chat.errorPrefix') + ': ';
      body.appendChild(label);
    }
    body.appendChild(document.createTextNode(text(value)));
    li.append(body, timeElement());
    append(li, true);
  }

  function addMessage(msg, isPrivate) {
    if (msg.id !== undefined && msg.id !== null) {
      const key = (isPrivate ? 'p' : 'g') + String(msg.id);
      if (seenIds.has(key)) return;
      seenIds.add(key);
    }
    const sender = text(msg.user);
    const mine = sender === me;
    const li = document.createElement('li');
    li.className = 'msg ' + (mine ? 'mine' : 'theirs') + (isPrivate ? ' private' : '');
    li.dataset.user = sender;
    if (isPrivate) li.dataset.to = text(msg.to);

    if (!mine) li.appendChild(avatar(sender));

    const bubble = document.createElement('div');
    bubble.className = 'bubble';

    const meta = document.createElement('div');
    meta.className = 'msg-meta';
    if (!mine) {
      const author = document.createElement('span');
      author.className = 'msg-author';
      author.textContent = sender;
      meta.appendChild(author);
    }
    if (isPrivate) {
      const badge = document.createElement('span');
      badge.className = 'badge badge-private';
      const to = text(msg.to);
      badge.textContent = mine && to ? t('chat.privateTo', { name: to }) : t('chat.private');
      meta.appendChild(badge);
      if (!mine && sender) {
        li.title = t('chat.replyTitle', { name: sender });
        li.classList.add('can-reply');
      }
    }
    meta.appendChild(timeElement(msg.ts));

    const body = document.createElement('div');
    body.className = 'msg-text';
    body.textContent = text(msg.data);

    bubble.append(meta, body);
    li.appendChild(bubble);
    append(li, mine);
  }

  function updateComposerMode() {
    const to = select.value;
    const isPrivate = to !== 'all';
    form.classList.toggle('is-private', isPrivate);
    input.placeholder = isPrivate
      ? t('chat.placeholder.private', { name: to })
      : t('chat.placeholder.group');
    onlineList.querySelectorAll('li').forEach((li) => {
      li.classList.toggle('selected', li.dataset.user === to);
      li.setAttribute('aria-pressed', String(li.dataset.user === to));
    });
  }

  function choose(name) {
    select.value = name && online.includes(name) ? name : 'all';
    updateComposerMode();
    input.focus();
  }

  function updateOnline(list) {
    const names = [];
    if (Array.isArray(list)) {
      for (const item of list) {
        const name = text(item);
        if (name && !names.includes(name)) names.push(name);
      }
    }
    names.sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
    online = names;

    const previous = select.value;
    const everyone = document.createElement('option');
    everyone.value = 'all';
    everyone.textContent = t('chat.everyone');
    const options = [everyone];
    const items = [];
    for (const name of names) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name === me ? name + ' (' + t('chat.you') + ')' : name;
      options.push(option);

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
    select.replaceChildren(...options);
    onlineList.replaceChildren(...items);
    onlineCount.textContent = String(names.length);

    if (previous !== 'all' && names.includes(previous)) {
      select.value = previous;
    } else {
      select.value = 'all';
      if (previous && previous !== 'all') {
        showHint(t('chat.recipientGone', { name: previous }), 'info');
      }
    }
    updateComposerMode();
  }

  // ---------------------------------------------------------------- socket

  function connect() {
    if (typeof io !== 'function') {
      addNotice('error', t('error.network'));
      return;
    }
    // auth as a function: every (re)connection sends the token kept right now.
    socket = io({ auth: (cb) => cb({ token: Api.getToken() || '' }) });

    socket.on('connect', () => {
      setStatus('connected');
      if (hint.textContent === t('chat.notConnected')) showHint('');
    });

    socket.on('connect_error', (err) => {
      if (leaving) return;
      if (err && AUTH_ERRORS.includes(err.message)) {
        leave('notice.sessionExpired');
        return;
      }
      setStatus('reconnecting');
    });

    socket.on('disconnect', (reason) => {
      if (leaving) return;
      setStatus('reconnecting');
      if (reason === 'io server disconnect') {
        // The server closed the session (expired or revoked token?). Ask again: a 401 goes to
        // the login page through the interceptor; otherwise join again.
        axios
          .get('/userinfo')
          .then(() => {
            if (!leaving) socket.connect();
          })
          .catch((err) => {
            if (!leaving && !(err && err.response && err.response.status === 401)) {
              setTimeout(() => !leaving && socket.connect(), 2000);
            }
          });
      }
    });

    socket.on(EV_ERROR, (msg) => {
      const reason = text(msg && msg.data);
      if (reason === 'token expired') {
        leave('notice.sessionExpired');
        return;
      }
      addNotice('error', reason);
    });

    socket.on(EV_ONLINE, (msg) => {
      if (msg) updateOnline(msg.data);
    });

    socket.on(EV_GROUP, (msg) => {
      if (!msg || typeof msg !== 'object') return;
      if (!msg.user) addNotice('system', msg.data);
      else addMessage(msg, false);
    });

    socket.on(EV_PRIVATE, (msg) => {
      if (!msg || typeof msg !== 'object') return;
      addMessage(msg, true);
    });
  }

  // ---------------------------------------------------------------- UI events

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value;
    if (value.trim() === '') {
      showHint(t('chat.empty'), 'warn');
      input.focus();
      return;
    }
    if (value.length > MAX_LENGTH) {
      showHint(t('chat.tooLong', { max: MAX_LENGTH }), 'warn');
      input.focus();
      return;
    }
    if (!socket || !socket.connected) {
      showHint(t('chat.notConnected'), 'warn');
      return;
    }
    const to = select.value;
    if (to === 'all') socket.emit(EV_GROUP, { data: value });
    else socket.emit(EV_PRIVATE, { data: value, to });
    input.value = '';
    showHint('');
    input.focus();
  });

  input.addEventListener('input', () => {
    if (!hint.hidden) showHint('');
  });

  select.addEventListener('change', () => {
    showHint('');
    updateComposerMode();
  });

  function pickFromList(event) {
    const li = event.target.closest('li[data-user]');
    if (!li) return;
    choose(select.value === li.dataset.user ? 'all' : li.dataset.user);
  }
  onlineList.addEventListener('click', pickFromList);
  onlineList.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      pickFromList(event);
    }
  });

  // A click on someone's private message picks them as the recipient: a quick reply.
  chatArea.addEventListener('click', (event) => {
    const li = event.target.closest('li.msg.private.can-reply');
    if (li && online.includes(li.dataset.user) && !window.getSelection().toString()) {
      choose(li.dataset.user);
    }
  });

  logoutButton.addEventListener('click', () => {
    if (leaving) return;
    logoutButton.disabled = true;
    // POST /logout revokes the token where the server supports it; its failure does not matter.
    axios
      .post('/logout', null, { timeout: 3000 })
      .catch(() => {})
      .then(() => {
        try {
          localStorage.removeItem('username');
        } catch {
          // ignore
        }
        leave('notice.loggedOut');
      });
  });

  // Signed out in another tab: follow.
  window.addEventListener('storage', (event) => {
    if (event.key === 'token' && !event.newValue) leave('notice.sessionExpired');
    if (event.key === null) leave('notice.sessionExpired'); // localStorage.clear()
  });

  // ---------------------------------------------------------------- start

  let attempt = 0;
  function start() {
    axios
      .get('/userinfo')
      .then((res) => {
        const body = res.data || {};
        if (body.status !== 1 || typeof body.username !== 'string' || !body.username) {
          leave('notice.sessionExpired');
          return;
        }
        me = body.username;
        userEl.textContent = me;
        document.body.classList.remove('loading');
        connect();
        input.focus();
      })
      .catch((err) => {
        if (leaving || (err && err.response && err.response.status === 401)) return;
        // Server down or failing: say so and try again a little later.
        addNotice('error', Api.errorMessage(err));
        attempt += 1;
        setTimeout(start, Math.min(30000, 1000 * 2 ** attempt));
      });
  }
  start();
})();
