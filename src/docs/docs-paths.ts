/** Where the API documents are served (README "API documents"). */
export const DOCS_PATH = '/docs';
export const OPENAPI_JSON_PATH = `${DOCS_PATH}/openapi.json`;

/**
 * The only files of swagger-ui-dist the page loads, served from node_modules (never a CDN) at
 * `${DOCS_PATH}/<name>`; the rest of the package (its demo index.html points at the petstore on
 * the internet) is not served.
 */
export const SWAGGER_UI_FILES = [
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'favicon-32x32.png',
] as const;
