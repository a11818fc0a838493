// Every installed copy of each package is at least the given version: `node .ci/min-versions.mjs
// ws@8.17.1 ...`. A newer release (a new patch included) passes; an older one, or none, fails.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** [major, minor, patch]; a pre-release (8.18.0-beta) counts as below its release. */
function parse(version) {
  const [core, pre] = version.split('-', 2);
  const parts = core.split('.').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n))) {
    throw new Error(`not a version: ${version}`);
  }
  return [...parts, pre === undefined ? 1 : 0];
}

export function atLeast(version, minimum) {
  const [a, b] = [parse(version), parse(minimum)];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

function installedCopies(name) {
  let out;
  try {
    out = execFileSync('npm', ['ls', '--all', '--parseable', name], { encoding: 'utf8' });
  } catch (error) {
    // npm ls exits 1 on an invalid or extraneous package elsewhere; its list is still right.
    out = error.stdout ?? '';
  }
  return out
    .split('\n')
    .filter((dir) => dir.endsWith(`/node_modules/${name}`))
    .map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version);
}

let failed = false;
for (const spec of process.argv.slice(2)) {
  const at = spec.lastIndexOf('@');
  const [name, minimum] = [spec.slice(0, at), spec.slice(at + 1)];
  const versions = installedCopies(name);
  if (versions.length === 0) {
    console.log(`${name}: not installed`);
    failed = true;
  }
  for (const version of versions) {
    const ok = atLeast(version, minimum);
    console.log(`${name} ${version} (at least ${minimum}): ${ok ? 'ok' : 'TOO OLD'}`);
    if (!ok) failed = true;
  }
}
process.exit(failed ? 1 : 0);
