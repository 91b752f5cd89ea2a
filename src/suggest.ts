/**
 * "Did you mean": the known name nearest to a misspelt one, by edit distance (insertions,
 * deletions, substitutions and swaps of neighbours each cost 1), when it is close enough to be a
 * likely slip: at most 2 edits, and fewer than half the word's length. Used for unknown CLI
 * commands and options and for unknown library options.
 */
export function closest(word: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= 2 && bestDistance < Math.max(2, word.length / 2) ? best : null;
}

/** "; did you mean epochs?" or "", for messages. */
export function didYouMean(word: string, known: readonly string[], prefix = ""): string {
  const near = closest(word, known);
  return near === null ? "" : `; did you mean ${prefix}${near}?`;
}

/** Optimal string alignment distance. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}
