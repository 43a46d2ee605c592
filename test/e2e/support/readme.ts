/**
 * Reads the shell blocks of one README section, so a test can run the walk-through a newcomer
 * types, verbatim.
 */

/** The body of every fenced ```sh block between `heading` (a whole line) and the next heading of the same or a higher level. */
export function shellBlocks(markdown: string, heading: string): string[] | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) return undefined;
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const blocks: string[] = [];
  let current: string[] | undefined;
  let fence = '';
  for (const line of lines.slice(start + 1)) {
    if (current === undefined) {
      const heading = /^(#+)\s/.exec(line);
      if (heading?.[1] !== undefined && heading[1].length <= level) break;
      const open = /^(`{3,})(sh|bash|shell)\s*$/.exec(line.trim());
      if (open?.[1] !== undefined) {
        current = [];
        fence = open[1];
      }
    } else if (line.trim() === fence) {
      blocks.push(current.join('\n'));
      current = undefined;
    } else {
      current.push(line);
    }
  }
  return blocks;
}

/** Commands that start Portico itself (the "first terminal"); the test runs that process on its own. */
export function isStartCommand(line: string): boolean {
  const command = line.replace(/#.*$/, '').trim();
  return /^(npm ci\s*&&\s*)?npm (start|run start)$/.test(command);
}
