// Chat page (public/chat.html loads this module): checks the kept token with GET /userinfo
// (api.js adds the header and sends a 401 to the login page), then joins the chat over Socket.IO
// (socket.js). One concern per module:
//   ../protocol.js   event names, error codes and limits, shared with the login page
//   model.js         conversations and messages as data, dedupe by id, lastId
//   render.js        messages and notices on screen
//   conversations.js the sidebar, #select, the composer's mode, the title
//   messages.js      receiving: catch-up, live and older messages
//   outbox.js        sending, resending refused messages, event '0' notices
//   paging.js        older messages (GET /messages)
//   typing.js        "someone is typing"
//   socket.js        the connection and its events
//   ui.js            picking a conversation, the composer
//   session.js       the socket, leaving for the login page;  dom.js  the page's elements
import { getToken, http } from '../api.js';
import { apply } from '../i18n.js';
import { GROUP, MAX_TEXT_LENGTH } from '../protocol.js';
import { updateTitle } from './conversations.js';
import { dom, setStatus } from './dom.js';
import { model } from './model.js';
import { RETRY_FIRST_MS, RETRY_MAX_MS } from './outbox.js';
import { watchScroll } from './paging.js';
import { leave, session } from './session.js';
import { connect } from './socket.js';
import { openConversation, wireUi } from './ui.js';

function run() {
  apply();
  updateTitle();
  dom.input.maxLength = MAX_TEXT_LENGTH;
  watchScroll();
  wireUi();

  dom.logout.addEventListener('click', () => {
    if (session.leaving || session.loggingOut) return;
    session.loggingOut = true;
    dom.logout.disabled = true;
    // POST /logout revokes the token; its failure does not matter, we leave anyway.
    http
      .post('/logout', null, { timeout: 3000, skipAuthRedirect: true })
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

  // back online: ask at once instead of waiting for the timer
  window.addEventListener('online', () => {
    if (!model.me && startTimer !== null) start();
  });
  start();
}

// GET /userinfo checks the token. 401: api.js goes to the login page. Anything else that fails
// (503 while the database is away, a network error, a 5xx) says nothing about the token: keep
// it, say the server is unavailable and ask again after 2 s, doubling, at most 15 s.
let startDelay = RETRY_FIRST_MS;
let startTimer = null;
let starting = false;
function start() {
  clearTimeout(startTimer);
  startTimer = null;
  if (starting || model.me || session.leaving) return;
  starting = true;
  http
    .get('/userinfo', { timeout: 15000 })
    .then((res) => {
      starting = false;
      const body = res.data || {};
      if (body.status !== 1 || typeof body.username !== 'string' || !body.username) {
        leave('notice.sessionExpired');
        return;
      }
      model.me = body.username;
      dom.user.textContent = model.me;
      document.body.classList.remove('loading');
      setStatus('connecting');
      openConversation(GROUP);
      connect();
      dom.input.focus();
    })
    .catch((err) => {
      starting = false;
      if (session.leaving || (err && err.response && err.response.status === 401)) return;
      setStatus('unavailable');
      const wait = startDelay;
      startDelay = Math.min(RETRY_MAX_MS, startDelay * 2);
      startTimer = setTimeout(start, wait);
    });
}

// No token at all: straight to the login page.
if (!getToken()) location.replace('login.html');
else run();
