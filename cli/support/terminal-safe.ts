/**
 * Output for a terminal: data from orders (subjects, merchant answers, URLs, reasons) may carry escape sequences that
 * would rewrite the screen or the title bar. C0 controls other than tab and newline, DEL and the C1 controls are
 * shown as visible `\uXXXX` escapes instead (also valid inside JSON strings, so --json output still parses).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
