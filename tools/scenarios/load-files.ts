import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The scenario files named on the command line: a file as is, a directory as its `*.json` files in
 * name order. A path that does not exist is an error, never silently skipped.
 */
export async function collectScenarioFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const given of paths) {
    const info = await stat(given).catch(() => undefined);
    if (!info) throw new Error(`no such file or directory: ${given}`);
    if (info.isDirectory()) {
      const names = (await readdir(given)).filter((name) => name.endsWith('.json')).sort();
      files.push(...names.map((name) => path.join(given, name)));
    } else {
      files.push(given);
    }
  }
  return files;
}

export async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}
