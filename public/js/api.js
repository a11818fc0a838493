// Shared HTTP plumbing for the pages: axios with our interceptors, and token helpers.
//  - request interceptor: sends `Authorization: <token>` from localStorage.token when there is one;
//  - response interceptor: keeps the `Authorization` response header (login, register) in
//    localStorage.token; on a 401 from any call other than login/register it drops the token and
//    goes to login.html.
// axios is the ES module build that the server serves from node_modules (app.ts, /vendor/axios/):
// a module is evaluated once per page, so every module that imports `http` from here gets this
// one instance, interceptors included.
import axios from '/vendor/axios/esm/axios.min.js';
import { errorText, t } from './i18n.js';

const TOKEN_KEY = 'token';
const NOTICE_KEY = 'loginNotice';
const AUTH_PATHS = ['/login', '/register'];

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function setToken(token) {
  localStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: nothing to clear
  }
}

let leaving = false;
// Drops the token and goes to the login page; noticeKey (an i18n key) is shown there once.
export function goLogin(noticeKey) {
  clearToken();
  if (noticeKey) {
    try {
      sessionStorage.setItem(NOTICE_KEY, noticeKey);
    } catch {
      // no session storage: the notice is only a nicety
    }
  }
  if (leaving) return;
  leaving = true;
  location.replace('login.html');
}

// The notice left by goLogin(), read once.
export function takeNotice() {
  try {
    const key = sessionStorage.getItem(NOTICE_KEY);
    sessionStorage.removeItem(NOTICE_KEY);
    return key;
  } catch {
    return null;
  }
}

function isAuthCall(config) {
  if (!config) return false;
  if (config.skipAuthRedirect) return true;
  let path = String(config.url || '');
  try {
    path = new URL(path, location.href).pathname;
  } catch {
    // keep the raw url
  }
  return AUTH_PATHS.includes(path);
}

// The page's words for the server's error code; else the server's reason, or a translated
// fallback.
export function errorMessage(err) {
  const response = err && err.response;
  if (!response) return t('error.network');
  const data = response.data && typeof response.data === 'object' ? response.data : {};
  let msg = data.msg;
  if (Array.isArray(msg)) msg = msg.filter((m) => typeof m === 'string').join(' ');
  if (typeof msg !== 'string' || msg.trim() === '') {
    msg =
      response.status === 429
        ? t('error.rateLimited')
        : t('error.generic', { status: response.status });
  }
  return errorText(data.code, msg);
}

function readAuthorization(headers) {
  if (!headers) return null;
  if (typeof headers.get === 'function') {
    const value = headers.get('authorization');
    if (value) return String(value);
  }
  return headers.authorization || headers.Authorization || null;
}

axios.interceptors.request.use(function (config) {
  const token = getToken();
  if (token) {
    if (config.headers && typeof config.headers.set === 'function') {
      config.headers.set('Authorization', token);
    } else {
      config.headers = Object.assign({}, config.headers, { Authorization: token });
    }
  }
  return config;
});

axios.interceptors.response.use(
  function (response) {
    const token = readAuthorization(response.headers);
    if (token) setToken(token);
    return response;
  },
  function (error) {
    if (error && error.response && error.response.status === 401 && !isAuthCall(error.config)) {
      goLogin('notice.sessionExpired');
    }
    return Promise.reject(error);
  },
);

/** axios with the interceptors above: every request of the pages goes through it. */
export const http = axios;
