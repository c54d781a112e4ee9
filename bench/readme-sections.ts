/**
 * bench/README.md keeps its prose by hand and its tables from the last run: each workload's tables
 * sit between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`, which a run rewrites.
 */
export function replaceSection(readme: string, name: string, body: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) {
    return `${readme.trimEnd()}\n\n${open}\n${body}\n${close}\n`;
  }
  return `${readme.slice(0, start + open.length)}\n${body}\n${readme.slice(end)}`;
}
