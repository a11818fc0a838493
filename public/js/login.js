// Login page: sign in (POST /login) or, when the server allows it, create an account
// (POST /register). The api.js response interceptor keeps the token; then we open chat.html.
import { errorMessage, getToken, http, takeNotice } from './api.js';
import { apply, t } from './i18n.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './protocol.js';

const form = document.getElementById('authForm');
const username = document.getElementById('username');
const password = document.getElementById('password');
const password2 = document.getElementById('password2');
const submit = document.getElementById('login');
const errorBox = document.getElementById('error');
const notice = document.getElementById('notice');
const heading = document.getElementById('heading');
const subheading = document.getElementById('subheading');
const modeSwitch = document.getElementById('modeSwitch');
const toggle = document.getElementById('toggleMode');

let mode = 'login';
let registrationOpen = false;
let busy = false;

apply();

const noticeKey = takeNotice();
if (noticeKey) {
  notice.textContent = t(noticeKey);
  notice.hidden = false;
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

function setMode(next) {
  mode = next === 'register' && registrationOpen ? 'register' : 'login';
  const register = mode === 'register';
  document.body.classList.toggle('register-mode', register);
  document.querySelectorAll('.register-only').forEach((el) => {
    el.hidden = !register;
  });
  heading.textContent = t(register ? 'register.heading' : 'login.heading');
  subheading.textContent = t(register ? 'register.sub' : 'login.sub');
  submit.textContent = t(register ? 'button.register' : 'button.login');
  toggle.textContent = t(register ? 'toggle.toLogin' : 'toggle.toRegister');
  toggle.setAttribute('href', register ? '#login' : '#register');
  password.setAttribute('autocomplete', register ? 'new-password' : 'current-password');
  document.title = t(register ? 'register.title' : 'login.title');
  showError('');
}

toggle.addEventListener('click', (event) => {
  event.preventDefault();
  setMode(mode === 'register' ? 'login' : 'register');
  history.replaceState(null, '', mode === 'register' ? '#register' : location.pathname);
  username.focus();
});

// Registration is offered only when the server says it is open.
http
  .get('/settings', { skipAuthRedirect: true })
  .then((res) => {
    const body = res.data;
    registrationOpen = Boolean(
      body && body.status === 1 && body.data && body.data.registration === true,
    );
  })
  .catch(() => {
    registrationOpen = false;
  })
  .then(() => {
    modeSwitch.hidden = !registrationOpen;
    setMode(location.hash === '#register' ? 'register' : 'login');
  });

setMode('login');
username.focus();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (busy) return;
  showError('');

  const name = username.value.trim();
  const pass = password.value;
  if (!name || !pass) {
    showError(t('error.required'));
    (name ? password : username).focus();
    return;
  }
  if (mode === 'register') {
    const length = Array.from(pass).length;
    if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
      showError(t('error.passwordLength'));
      password.focus();
      return;
    }
    if (pass !== password2.value) {
      showError(t('error.passwordMismatch'));
      password2.focus();
      return;
    }
  }

  busy = true;
  submit.disabled = true;
  const label = submit.textContent;
  submit.textContent = t(mode === 'register' ? 'register.busy' : 'login.busy');

  const path = mode === 'register' ? '/register' : '/login';
  http
    .post(path, { username: name, password: pass }, { skipAuthRedirect: true })
    .then((res) => {
      const body = res.data || {};
      if (body.status !== 1 || !getToken()) {
        throw Object.assign(new Error('login refused'), { response: res });
      }
      if (body.data && typeof body.data.username === 'string') {
        localStorage.setItem('username', body.data.username);
      }
      location.assign('chat.html');
    })
    .catch((err) => {
      busy = false;
      submit.disabled = false;
      submit.textContent = label;
      showError(errorMessage(err));
      password.select();
      password.focus();
    });
});
