// Writes every generated file of the repository from its source definition. A unit test checks
// that the committed copies equal what this produces.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILES } from '../src/api/generated-files.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const [file, render] of Object.entries(GENERATED_FILES)) {
  writeFileSync(path.join(root, file), render());
  console.log(`wrote ${file}`);
}
