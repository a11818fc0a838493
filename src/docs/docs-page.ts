import { DOCS_PATH, OPENAPI_JSON_PATH } from './docs-paths.js';

/**
 * Our own Swagger UI page instead of @nestjs/swagger's: its page has inline <style> blocks and a
 * style attribute, which the CSP (app.ts: style-src 'self', no 'unsafe-inline') refuses. This one
 * has nothing inline, so the CSP stays the same for /docs as for every other page: the script
 * that starts the UI is a file of its own (DOCS_INIT_JS), and Swagger UI sets its element styles
 * through the DOM, which style-src does not govern.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>nest-chat API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

/** Starts Swagger UI on our document; validatorUrl null: no badge fetched from swagger.io. */
export const DOCS_INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_JSON_PATH}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;
