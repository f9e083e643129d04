/** Percentiles and a printed row, for the benchmark scripts. */

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function row(label: string, values: number[], unit = 'ms'): string {
  const f = (n: number) => `${n.toFixed(1)} ${unit}`;
  return (
    `${label.padEnd(48)} n=${String(values.length).padStart(3)}  p50 ${f(percentile(values, 50))}  ` +
    `p99 ${f(percentile(values, 99))}  max ${f(Math.max(...values))}`
  );
}
