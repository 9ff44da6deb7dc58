// Runs the OpenID Provider as a process for Go tests. The first line of
// stdin is the JSON options of startOP; the process listens on a free port
// of 127.0.0.1, prints {"url": issuer} as one line on stdout, and exits when
// stdin closes (so it never outlives the test that started it).

import { startOP } from './op.mjs';
import readline from 'node:readline';

const rl = readline.createInterface({ input: process.stdin });
let started = null;
rl.once('line', async (line) => {
  try {
    started = await startOP(JSON.parse(line));
    process.stdout.write(JSON.stringify({ url: started.url }) + '\n');
  } catch (e) {
    process.stderr.write(`OpenID Provider failed to start: ${e?.stack || e}\n`);
    process.exit(1);
  }
});
rl.once('close', async () => {
  if (started) await started.close();
  process.exit(0);
});
