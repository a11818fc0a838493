import { featureConfig } from '../config/feature-config.js';

/** The API documents at /docs (DOCS=off hides them: /docs and /docs/openapi.json answer 404). */
export const docsConfig = featureConfig('docs', (env) => ({
  enabled: env.DOCS !== 'off',
}));
