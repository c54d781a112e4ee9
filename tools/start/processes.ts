import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const colors = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m'];

export interface AppProcess {
  name: string;
  child: ChildProcess;
}

export function appEntry(app: string): string {
  return path.join(root, 'apps', app, 'src', 'main.ts');
}

export function appExists(app: string): boolean {
  return fs.existsSync(appEntry(app));
}

/** Starts one app with the TypeScript loader and prefixes its output with its name. */
export function startApp(app: string, env: NodeJS.ProcessEnv, index: number): AppProcess {
  const child = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), appEntry(app)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `${colors[index % colors.length]}${app.padEnd(10)}\x1b[0m │ `;
  const forward = (stream: NodeJS.ReadableStream, sink: NodeJS.WriteStream) => {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) sink.write(prefix + line + '\n');
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  return { name: app, child };
}

/** SIGTERM, then SIGKILL whatever has not exited within the grace period. */
export async function stopAll(apps: AppProcess[], graceMs = 8000): Promise<void> {
  await Promise.all(
    apps.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
