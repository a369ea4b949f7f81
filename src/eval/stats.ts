/**
 * The nearest-rank percentile every measurement here reports (eval, bench, load).
 *
 * @example
 * percentile([1, 2, 3, 4], 0.5); // 3
 */
export function percentile(sorted: number[], q: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
