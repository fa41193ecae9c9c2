/**
 * Which of `secrets` (name → value) occur in a history: in any string of its JSON, or inside a payload (payload data
 * is base64-encoded JSON, so a plain text search would miss it). Answers the names only, never the values.
 */
export function secretsIn(historyJson: string, secrets: Record<string, string>): string[] {
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      texts.push(v);
      if (BASE64.test(v)) texts.push(Buffer.from(v, 'base64').toString('utf8'));
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(JSON.parse(historyJson));
  return Object.entries(secrets).filter(([, value]) => texts.some((t) => t.includes(value))).map(([name]) => name);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
