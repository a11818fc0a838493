// The page's words in the browser's language (strings.js holds them). Static text in the pages
// carries data-i18n / data-i18n-placeholder / data-i18n-title / data-i18n-aria-label attributes,
// filled by apply(); scripts call t(key, params) for the rest.
import { translator } from './strings.js';

const languages = (
  navigator.languages && navigator.languages.length
    ? navigator.languages
    : [navigator.language || 'en']
).map(String);

export const { lang, t, errorText } = translator(languages);

export function apply(root) {
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
