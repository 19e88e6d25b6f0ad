/** Small shared helpers for src/data. */

/** Text from a data file, shortened for a one-line message. */
export function formatValueText(text: string): string {
  const t = text.replace(/[\r\n\t]/g, ' ');
  return t.length > 24 ? t.slice(0, 24) + '...' : t;
}

/** A number as short as it is exact (values come from files, so this is what was written). */
export function fmtNum(v: number): string {
  if (Number.isNaN(v)) return 'missing';
  return String(v);
}
