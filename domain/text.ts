/** C0 controls other than tab, LF and CR, and DEL: never meaningful in a field, and PostgreSQL cannot store U+0000. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** True when `v` holds a control character that no edge lets through (merchant, support and channel input alike). */
export const hasControlCharacter = (v: string): boolean => CONTROL.test(v);
