// The serve flags come from one table: the README's flag table, the usage text and node's
// parseArgs options are all that table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serveCommand } from '../../src/operator/serve-command.ts';
import { SERVE_FLAGS, serveFlagTable } from '../../src/operator/serve-flags.ts';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');

describe('serve flag table', () => {
  it("is the README's flag table, row for row", () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf('| flag | default | meaning |');
    assert.ok(start >= 0, 'the README has a flag table');
    const end = readme.indexOf('\n\n', start);
    assert.equal(readme.slice(start, end), serveFlagTable(), 'README flag table differs: regenerate it from serveFlagTable()');
  });

  it('drives the usage text and the parser options', () => {
    assert.deepEqual(Object.keys(serveCommand.options), SERVE_FLAGS.map((flag) => flag.name));
    for (const flag of SERVE_FLAGS) assert.match(serveCommand.usage, new RegExp(`^  --${flag.name}\\b.*\\(default: `, 'm'), `usage names --${flag.name}`);
    assert.match(serveCommand.usage, /--port N {2,}webhook HTTPS port \(default: 9443\)/);
  });
});
