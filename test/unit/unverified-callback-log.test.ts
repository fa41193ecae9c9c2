import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger';
import { createApiMetrics } from '../../observability/api-metrics';
import { refuseUnverified } from '../../api/channel-callbacks';
import type { ApiContext } from '../../api/context';

describe('a channel callback refused before it verified', () => {
  it('is counted by reason and logged without its body, at most once per reason per 10 s', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
    const metrics = createApiMetrics();
    const ctx = { log: createLogger('info', 'test', stream), metrics } as unknown as ApiContext;
    const secretish = `funcode ${'X'.repeat(500)} signature=0123456789abcdef0123456789abcdef`;
    for (let i = 0; i < 3; i++) {
      refuseUnverified(ctx, 'ipaynow', { reason: 'unverified', detail: secretish, orderId: 'O'.repeat(100), bodyBytes: 900, source: '203.0.113.9' });
    }
    expect(await metrics.registry.metrics()).toContain('paydurable_channel_callbacks_unverified_total{channel="ipaynow",reason="unverified"} 3');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ channel: 'ipaynow', reason: 'unverified', bodyBytes: 900, source: '203.0.113.9', msg: 'channel callback refused before it verified: not stored' });
    expect((line.detail as string).length).toBe(120);
    expect((line.orderId as string).length).toBe(64);
    expect(lines[0]).not.toContain('0123456789abcdef0123456789abcdef');
  });
});
