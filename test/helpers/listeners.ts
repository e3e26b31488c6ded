/**
 * TCP endpoints on 127.0.0.1 for probe tests: a listener, a closed port, and a port that never
 * answers. Never any other address.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Endpoint {
  port: number;
  close(): Promise<void>;
}

/** A listener that accepts and closes every connection; `accepted(n)` waits (up to 2 s) until it has seen n, and returns the count. */
export function listener(): Promise<Endpoint & { accepted(n: number): Promise<number> }> {
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      const waitFor = async (n: number): Promise<number> => {
        // The server sees a connection a moment after the client does.
        for (let waited = 0; accepted < n && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
        return accepted;
      };
      resolve({ port, accepted: waitFor, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

/** A port nothing listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number, ms: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/**
 * A port whose SYNs go unanswered, on 127.0.0.1: a child process listens with a backlog of 1 and then
 * blocks its event loop, so it never accepts; once its accept queue is full, the kernel drops further
 * SYNs and a connect() waits until its timeout, as with a host behind a dropping firewall.
 */
export async function silentPort(): Promise<Endpoint> {
  const script = `
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(server.address().port) + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line: string) => resolve(Number(line.trim())));
    child.once('exit', (code) => reject(new Error(`the silent listener exited (${code})`)));
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < 16; i += 1) {
    const socket = await tryConnect(port, 300);
    if (socket === undefined) break;
    fillers.push(socket);
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
