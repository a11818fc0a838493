// UI strings in English and Chinese, chosen from navigator.language (zh* → Chinese).
// Static text in the pages carries data-i18n / data-i18n-placeholder / data-i18n-title /
// data-i18n-aria-label attributes; scripts call window.I18n.t(key, params) for the rest.
(function () {
  'use strict';

  const STRINGS = {
    en: {
      'login.title': 'Sign in · Chat',
      'login.heading': 'Welcome back',
      'login.sub': 'Sign in to join the chat room.',
      'register.title': 'Create account · Chat',
      'register.heading': 'Create an account',
      'register.sub': 'Pick a name and a password to join the chat room.',
      'field.username': 'User name',
      'field.password': 'Password',
      'field.password2': 'Repeat password',
      'placeholder.username': 'Your user name',
      'placeholder.password': 'Your password',
      'placeholder.password2': 'The same password again',
      'hint.username': '1–32 letters (any script), digits, _ - .',
      'hint.password': '8–128 characters.',
      'button.login': 'Sign in',
      'button.register': 'Create account',
      'toggle.toRegister': 'No account yet? Create one',
      'toggle.toLogin': 'Already have an account? Sign in',
      'login.busy': 'Signing in…',
      'register.busy': 'Creating account…',
      'error.required': 'Please enter your user name and password.',
      'error.passwordLength': 'The password must be 8 to 128 characters long.',
      'error.passwordMismatch': 'The two passwords differ.',
      'error.network': 'Cannot reach the server. Please try again.',
      'error.generic': 'Something went wrong ({status}).',
      'error.rateLimited': 'Too many attempts. Please wait a moment and try again.',
      'notice.sessionExpired': 'Your session has ended. Please sign in again.',
      'notice.loggedOut': 'You have signed out.',
      'chat.title': 'Chat room',
      'chat.heading': 'Chat room',
      'chat.signedInAs': 'Signed in as',
      'chat.logout': 'Sign out',
      'chat.online': 'Online',
      'chat.onlineLabel': 'Online users',
      'chat.you': 'you',
      'chat.everyone': 'Everyone (group chat)',
      'chat.to': 'To',
      'chat.send': 'Send',
      'chat.placeholder.group': 'Message everyone…',
      'chat.placeholder.private': 'Private message to {name}…',
      'chat.private': 'private',
      'chat.privateTo': 'private → {name}',
      'chat.privateFrom': 'private from {name}',
      'chat.empty': 'Type a message first.',
      'chat.tooLong': 'A message can be at most {max} characters.',
      'chat.notConnected': 'Not connected to the server yet; please wait a moment.',
      'chat.connecting': 'Connecting…',
      'chat.connected': 'Connected',
      'chat.reconnecting': 'Connection lost, reconnecting…',
      'chat.unavailable': 'Server unavailable, retrying…',
      'chat.recipientGone': '{name} went offline; messages now go to everyone.',
      'chat.errorPrefix': 'Error',
      'chat.messagesLabel': 'Messages',
      'chat.replyTitle': 'Reply privately to {name}',
      'chat.sidebarLabel': 'Conversations and online users',
      'chat.conversations': 'Chats',
      'chat.group': 'Group',
      'chat.groupLong': 'Group chat (everyone)',
      'chat.offline': 'offline',
      'chat.peerOffline': '{name} is offline and will get your messages when back.',
      'chat.unreadCount': '{count} unread',
      'chat.unreadMarker': 'new',
      'chat.removedAccount': 'removed account',
      'chat.pending': 'sending…',
      'chat.retrying': 'waiting to resend…',
      'chat.failed': 'Not sent: {msg}',
      'chat.queued': 'Not connected: the message will be sent when the connection is back.',
      'chat.typingOne': '{name} is typing…',
      'chat.typingTwo': '{a} and {b} are typing…',
      'chat.typingMany': 'Several people are typing…',
      'chat.loadingOlder': 'Loading earlier messages…',
      'chat.olderFailed': 'Could not load earlier messages.',
      // The server's error codes (README, "Error codes"); `{msg}` is the server's own sentence.
      'code.bad_request': 'The server could not understand the request.',
      'code.unauthorized': 'You are not signed in, or your session has ended.',
      'code.forbidden': 'This is not allowed.',
      'code.not_found': 'Not found.',
      'code.too_many_requests': 'Too many requests. Please wait a moment and try again.',
      'code.payload_too_large': 'What you sent is too large.',
      'code.service_unavailable':
        'The server is unavailable for a moment. Please try again shortly.',
      'code.internal_error': 'Something went wrong on the server.',
      'code.validation_failed': 'Invalid input ({msg}).',
      'code.bad_credentials': 'Wrong user name or password.',
      'code.token_expired': 'Your session has expired. Please sign in again.',
      'code.too_many_attempts': 'Too many attempts. Please wait a moment and try again.',
      'code.registration_closed': 'This server does not accept new accounts.',
      'code.username_taken': 'This user name is taken already.',
      'code.invalid_username': 'A user name is 1–32 letters (any script), digits, _ - .',
      'code.username_invisible':
        'A user name must begin with a visible character and hold no invisible ones.',
      'code.username_reserved': 'This user name is reserved.',
      'code.username_lookalike': 'This user name looks too much like one that is taken.',
      'code.too_deeply_nested': 'The request is nested too deeply.',
      'code.invalid_password': 'The password must be 8 to 128 characters long.',
      'code.origin_refused': 'Requests from this site are not allowed.',
      'code.no_such_user': 'There is no user of that name.',
      'code.not_stored': 'The message could not be stored; it will be sent again.',
      'code.history_unavailable': 'Earlier messages could not be loaded.',
      'code.server_restarting': 'The server is restarting; messages will be sent again shortly.',
      'code.rate_limited': 'You are sending too fast; please slow down.',
      'code.too_many_sockets': 'Too many open connections for this account; close some tabs.',
      'code.too_many_sockets_from_ip': 'Too many connections from your network.',
      'code.too_many_refusals': 'Disconnected: too many refused messages.',
    },
    zh: {
      'login.title': '登录 · 聊天室',
      'login.heading': '欢迎回来',
      'login.sub': '登录后进入聊天室。',
      'register.title': '注册 · 聊天室',
      'register.heading': '创建账号',
      'register.sub': '设置用户名和密码,加入聊天室。',
      'field.username': '账号',
      'field.password': '密码',
      'field.password2': '确认密码',
      'placeholder.username': '请输入账号',
      'placeholder.password': '请输入密码',
      'placeholder.password2': '请再次输入密码',
      'hint.username': '1–32 个字符:任意文字的字母、数字、_ - .',
      'hint.password': '8–128 个字符。',
      'button.login': '登录',
      'button.register': '注册',
      'toggle.toRegister': '还没有账号?立即注册',
      'toggle.toLogin': '已有账号?去登录',
      'login.busy': '正在登录…',
      'register.busy': '正在注册…',
      'error.required': '请输入账号和密码。',
      'error.passwordLength': '密码长度须为 8 到 128 个字符。',
      'error.passwordMismatch': '两次输入的密码不一致。',
      'error.network': '无法连接服务器,请稍后再试。',
      'error.generic': '出错了({status})。',
      'error.rateLimited': '尝试次数过多,请稍后再试。',
      'notice.sessionExpired': '登录已失效,请重新登录。',
      'notice.loggedOut': '您已退出登录。',
      'chat.title': '聊天室',
      'chat.heading': '聊天室',
      'chat.signedInAs': '当前用户:',
      'chat.logout': '退出聊天室',
      'chat.online': '在线',
      'chat.onlineLabel': '在线用户',
      'chat.you': '我',
      'chat.everyone': '所有人(群聊)',
      'chat.to': '发给',
      'chat.send': '发送',
      'chat.placeholder.group': '发消息给所有人…',
      'chat.placeholder.private': '私聊 {name}…',
      'chat.private': '私聊',
      'chat.privateTo': '私聊 → {name}',
      'chat.privateFrom': '来自 {name} 的私聊',
      'chat.empty': '消息不能为空。',
      'chat.tooLong': '消息最多 {max} 个字符。',
      'chat.notConnected': '尚未连接到服务器,请稍候。',
      'chat.connecting': '正在连接…',
      'chat.connected': '已连接',
      'chat.reconnecting': '连接已断开,正在重连…',
      'chat.unavailable': '服务器暂时不可用,正在重试…',
      'chat.recipientGone': '{name} 已下线,消息将发给所有人。',
      'chat.errorPrefix': '错误',
      'chat.messagesLabel': '消息',
      'chat.replyTitle': '私聊回复 {name}',
      'chat.sidebarLabel': '会话和在线用户',
      'chat.conversations': '会话',
      'chat.group': '群聊',
      'chat.groupLong': '群聊(所有人)',
      'chat.offline': '离线',
      'chat.peerOffline': '{name} 不在线,上线后会收到你的消息。',
      'chat.unreadCount': '{count} 条未读',
      'chat.unreadMarker': '未读',
      'chat.removedAccount': '已删除的账号',
      'chat.pending': '发送中…',
      'chat.retrying': '等待重发…',
      'chat.failed': '发送失败:{msg}',
      'chat.queued': '未连接:连接恢复后消息会自动发送。',
      'chat.typingOne': '{name} 正在输入…',
      'chat.typingTwo': '{a} 和 {b} 正在输入…',
      'chat.typingMany': '多人正在输入…',
      'chat.loadingOlder': '正在加载更早的消息…',
      'chat.olderFailed': '无法加载更早的消息。',
      'code.bad_request': '服务器无法理解该请求。',
      'code.unauthorized': '未登录或登录已失效。',
      'code.forbidden': '不允许此操作。',
      'code.not_found': '未找到。',
      'code.too_many_requests': '请求过于频繁,请稍后再试。',
      'code.payload_too_large': '发送的内容过大。',
      'code.service_unavailable': '服务器暂时不可用,请稍后再试。',
      'code.internal_error': '服务器出错了。',
      'code.validation_failed': '输入无效,请检查后重试。',
      'code.bad_credentials': '账号或密码错误。',
      'code.token_expired': '登录已过期,请重新登录。',
      'code.too_many_attempts': '尝试次数过多,请稍后再试。',
      'code.registration_closed': '本服务器不开放注册。',
      'code.username_taken': '该账号已被占用。',
      'code.invalid_username': '账号须为 1–32 个字符:任意文字的字母、数字、_ - .',
      'code.username_invisible': '账号须以可见字符开头,且不能含不可见字符。',
      'code.username_reserved': '该账号名为保留名称。',
      'code.username_lookalike': '该账号与已有账号过于相似。',
      'code.too_deeply_nested': '请求嵌套层数过多。',
      'code.invalid_password': '密码长度须为 8 到 128 个字符。',
      'code.origin_refused': '不接受来自此网站的请求。',
      'code.no_such_user': '没有这个用户。',
      'code.not_stored': '消息未能保存,将自动重新发送。',
      'code.history_unavailable': '无法加载历史消息。',
      'code.server_restarting': '服务器正在重启,消息稍后会重新发送。',
      'code.rate_limited': '发送过于频繁,请稍慢一些。',
      'code.too_many_sockets': '该账号打开的连接过多,请关闭一些标签页。',
      'code.too_many_sockets_from_ip': '来自您网络的连接过多。',
      'code.too_many_refusals': '已断开:被拒绝的消息过多。',
    },
  };

  const languages = (
    navigator.languages && navigator.languages.length
      ? navigator.languages
      : [navigator.language || 'en']
  ).map(String);
  const lang = /^zh\b/i.test(languages[0] || '') ? 'zh' : 'en';

  function t(key, params) {
    const table = STRINGS[lang];
    let text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : STRINGS.en[key];
    if (text === undefined) return key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, (whole, name) =>
        Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
      );
    }
    return text;
  }

  // The page's own words for an error code of the server; the server's msg for a code it does not
  // know (a newer server).
  function errorText(code, msg) {
    const key = 'code.' + code;
    if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(STRINGS.en, key)) {
      return msg;
    }
    return t(key, { msg: msg || '' });
  }

  function apply(root) {
    const scope = root || document;
    scope.querySelectorAll('[data-i18n]').forEach((el) => {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
    scope.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
      el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder')));
    });
    scope.querySelectorAll('[data-i18n-title]').forEach((el) => {
      el.setAttribute('title', t(el.getAttribute('data-i18n-title')));
    });
    scope.querySelectorAll('[data-i18n-aria-label]').forEach((el) => {
      el.setAttribute('aria-label', t(el.getAttribute('data-i18n-aria-label')));
    });
  }

  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

  window.I18n = { lang, t, apply, errorText };
})();
