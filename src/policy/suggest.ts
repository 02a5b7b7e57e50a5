/** "Did you mean ...?": the nearest known word by Levenshtein distance. */

/** Edit distance (insert, delete, substitute; each costs 1). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * The closest option to `word`, or undefined when nothing is close enough (distance at most a third of the
 * word's length, at least 2). Ties go to the first option in iteration order. Case differences cost nothing extra
 * beyond one edit each, so "Ssid" still finds "SSID".
 */
export function nearest(word: string, options: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  const lw = word.toLowerCase();
  for (const o of options) {
    const d = Math.min(levenshtein(word, o), levenshtein(lw, o.toLowerCase()) + 0.5);
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return bestD <= limit ? best : undefined;
}
