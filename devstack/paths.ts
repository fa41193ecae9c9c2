import net from 'node:net';
import path from 'node:path';

/** Absolute path of the repository (this file lives in `<repo>/devstack`). */
export const repoRoot: string = path.resolve(__dirname, '..');

/** Locally built/downloaded tools (git-ignored). */
export const toolsDir: string = path.join(repoRoot, '.tools');

/** Local state of the embedded stack: SQLite file, PostgreSQL cluster (git-ignored). */
export const dataDir: string = path.join(repoRoot, '.data');

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. Another process may grab it before the caller binds it,
 * so callers that start servers on it should be ready to retry.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close(() => reject(new Error('freePort: unexpected server address')));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
