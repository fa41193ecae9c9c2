/**
 * Live and test mode (as payment engineers know it from Stripe). A live key makes live orders, served by real
 * channels only; a test key makes test orders, served by the sandbox only. Answers, queries and notifications carry
 * the mode as the signed field `livemode` ("true" / "false").
 */
export const MODES = ['live', 'test'] as const;
export type Mode = (typeof MODES)[number];

export const livemodeField = (mode: Mode): 'true' | 'false' => (mode === 'live' ? 'true' : 'false');
export const modeOf = (livemode: boolean): Mode => (livemode ? 'live' : 'test');
