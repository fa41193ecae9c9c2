/** Form strings for the emulator, through URLSearchParams (independent of the adapter's codec; writes spaces as +). */
export function readForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

export function writeForm(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(fields)).toString();
}
