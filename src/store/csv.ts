// CSV cells as spreadsheets read them: quoted when they hold a comma, a quote or a newline.
export function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header row and one row per record, newline-terminated. */
export function csvText(columns: readonly string[], rows: readonly (readonly (string | number | boolean)[])[]): string {
  return [columns.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}
