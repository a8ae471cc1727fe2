import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedBootstrapInput, FeedBootstrapOutput } from './feed-bootstrap-process.js';
import type { SessionIdSetState } from './session-id-set.js';

/**
 * The child's young generation: the feed's records are garbage as soon as they are read, and
 * at 1 MiB the collections alone cost a second in a million records; its memory ends with it.
 */
const SEMI_SPACE_MIB = 16;

/**
 * Reads the feed to its end in a child process and resolves with its table and checkpoints.
 * Reading a million records leaves garbage behind in a process's heap and in its allocator,
 * which no process gives back while it runs; a child's ends with it, so the caller keeps only
 * the table. `started` gets the child, so that a client closed meanwhile can stop it.
 */
export async function readFeedInProcess(
  input: Omit<FeedBootstrapInput, 'tableFile'>,
  started: (child: ChildProcess) => void,
): Promise<{ table: SessionIdSetState; positions: [number, bigint][] }> {
  const dir = mkdtempSync(join(tmpdir(), 'revocations-'));
  try {
    const tableFile = join(dir, 'table');
    const output = await runChild({ ...input, tableFile }, started);
    return { table: readTable(tableFile, output), positions: output.positions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The child's table, read straight into the arrays the client keeps. */
function readTable(file: string, { count, capacity }: FeedBootstrapOutput): SessionIdSetState {
  const keys = new Uint32Array(capacity * 4);
  const expiries = new Uint32Array(capacity);
  const fd = openSync(file, 'r');
  try {
    let at = 0;
    for (const array of [keys, expiries]) {
      const bytes = new Uint8Array(array.buffer);
      for (let done = 0; done < bytes.length;) {
        const read = readSync(fd, bytes, done, bytes.length - done, at);
        if (read === 0) throw new Error('the bootstrap table file is short');
        done += read;
        at += read;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { keys, expiries, count };
}

function runChild(
  input: FeedBootstrapInput,
  started: (child: ChildProcess) => void,
): Promise<FeedBootstrapOutput> {
  const child = fork(fileURLToPath(new URL('./feed-bootstrap-process.js', import.meta.url)), [], {
    serialization: 'advanced',
    execArgv: [`--max-semi-space-size=${SEMI_SPACE_MIB}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  started(child);
  return new Promise((resolve, reject) => {
    child.once('message', (output) => resolve(output as FeedBootstrapOutput));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      reject(
        new Error(`the feed bootstrap process ended (${signal ?? `exit code ${code}`}) first`),
      );
    });
    child.send(input);
  });
}
