// A gradient helper's worker thread starts here: worker threads do not inherit the TypeScript
// loader the CLI registered (bin/cv-lab.js), so it registers it again, then runs the helper.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('./helper-thread.ts');
