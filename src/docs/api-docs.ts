import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEARER_SCHEME, TOKEN_SCHEME } from '../common/api-responses.js';
import { DOCS_HTML, DOCS_INIT_JS } from './docs-page.js';
import { DOCS_PATH, OPENAPI_JSON_PATH, SWAGGER_UI_FILES } from './docs-paths.js';

const TOKEN_DESCRIPTION =
  'The JWT from POST /login or /register (their Authorization response header or `token`), ' +
  "raw (the original clients' form) or as `Bearer <jwt>`. Without a valid one: 401 " +
  '`unauthorized`, or `token_expired`.';

/** The OpenAPI document of every controller, built from their decorators. */
export function buildOpenApiDocument(app: INestApplication, root: string) {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const config = new DocumentBuilder()
    .setTitle('nest-chat HTTP API')
    .setDescription(
      'Every error has the body `{status: 0, code, msg}` (ErrorBody; codes: docs/protocol.md ' +
        '"Error codes"). The socket.io protocol is described in docs/asyncapi.yaml.',
    )
    .setVersion(version)
    .addSecurity(TOKEN_SCHEME, {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: TOKEN_DESCRIPTION,
    })
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * GET /docs (Swagger UI, from node_modules/swagger-ui-dist: no CDN) and /docs/openapi.json.
 * The document is built on the first request.
 */
export function serveApiDocs(app: INestApplication, root: string): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app, root), {
    ui: false,
    raw: ['json'],
    jsonDocumentUrl: OPENAPI_JSON_PATH,
  });
  const http = app.getHttpAdapter();
  const page = (_req: Request, res: Response) => res.type('html').send(DOCS_HTML);
  http.get(DOCS_PATH, page);
  http.get(`${DOCS_PATH}/`, page);
  http.get(`${DOCS_PATH}/init.js`, (_req: Request, res: Response) =>
    res.type('application/javascript').send(DOCS_INIT_JS),
  );
  const assets = join(root, 'node_modules/swagger-ui-dist');
  for (const file of SWAGGER_UI_FILES) {
    http.get(`${DOCS_PATH}/${file}`, (_req: Request, res: Response) =>
      res.sendFile(join(assets, file)),
    );
  }
}
