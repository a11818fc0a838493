/**
 * The pages load their scripts as ES modules without a bundler. A browser finds a module's
 * imports only once it has the module, so without help it fetches them one import level per
 * round trip; each page's <link rel="modulepreload"> list lets it fetch them all at once. These
 * lists must name exactly what the page's entry module imports, directly or not.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { projectRoot } from '../src/common/project-root.js';

const PUBLIC = join(projectRoot(), 'public');
/** Where the app serves node_modules files (app.ts): URL prefix → folder. */
const VENDOR: Record<string, string> = {
  '/vendor/axios/': 'node_modules/axios/dist/',
  '/vendor/socket.io/': 'node_modules/socket.io/client-dist/',
};

/** A page's module URL (absolute path) as a file, to check that it is there. */
function fileOf(url: string): string {
  for (const [prefix, folder] of Object.entries(VENDOR)) {
    if (url.startsWith(prefix)) return join(projectRoot(), folder, url.slice(prefix.length));
  }
  return join(PUBLIC, url);
}

/** `import … from 'x'`, `import 'x'`, `export … from 'x'` (the import list may span lines). */
const IMPORT = /^(?:import|export)\s+(?:[\w*{}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/gm;

/** Every module the module at this URL imports, directly or not (vendor files are leaves). */
function importsOf(url: string, seen = new Set<string>()): Set<string> {
  if (url.startsWith('/vendor/')) return seen;
  const source = readFileSync(fileOf(url), 'utf8');
  for (const [, specifier] of source.matchAll(IMPORT)) {
    const target = specifier.startsWith('/')
      ? specifier
      : posix.join(posix.dirname(url), specifier);
    if (seen.has(target)) continue;
    seen.add(target);
    importsOf(target, seen);
  }
  return seen;
}

function page(name: string): { entry: string; preloads: string[] } {
  const html = readFileSync(join(PUBLIC, name), 'utf8');
  const entries = [...html.matchAll(/<script type="module" src="([^"]+)"><\/script>/g)];
  expect(entries).toHaveLength(1);
  const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)" \/>/g)].map(
    ([, href]) => href,
  );
  return { entry: posix.join('/', entries[0][1]), preloads };
}

describe.each(['login.html', 'chat.html'])('%s', (name) => {
  it('preloads exactly the modules its entry imports', () => {
    const { entry, preloads } = page(name);
    const imported = [...importsOf(entry)];
    expect(imported.length).toBeGreaterThan(0);
    expect(preloads.map((href) => posix.join('/', href)).sort()).toEqual(imported.sort());
    for (const url of [entry, ...imported]) expect(existsSync(fileOf(url))).toBe(true);
  });
});
