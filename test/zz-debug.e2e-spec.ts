import { it, expect } from '@jest/globals';
import { connect, login, next, sleep } from './support/chat-client.js';
import { startTestApp } from './support/test-app.js';
it('debug', async () => {
  const t = await startTestApp();
  await t.createUser('alice', 'alice-password');
  const s = await connect(t.url, { token: await login(t.url, 'alice', 'alice-password') });
  const zeros: unknown[] = [];
  s.on('0', (p) => zeros.push(p));
  const twos: unknown[] = [];
  s.on('2', (p) => twos.push((p as { data: string }).data.length));
  for (const n of [1999, 2000, 2001]) {
    console.log(n, await s.timeout(2000).emitWithAck('2', { data: 'a'.repeat(n) }));
  }
  s.emit('2', { data: 'a'.repeat(2000) });
  await sleep(300);
  console.log(zeros, twos);
  s.close();
  await t.close();
});
