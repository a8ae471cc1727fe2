import { createServer } from 'node:net';

// Ports this process handed out: the OS may offer a just-closed port again at once, and two
// services given the same "free" port would collide when they start.
const handedOut = new Set<number>();

function askTheSystem(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago, never one this process handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await askTheSystem();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port that was not handed out already');
}
