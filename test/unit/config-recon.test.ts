import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { reconScheduleOptions } from '../../reconciliation/schedules';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

describe('RECON_AT / RECON_CHANNELS / RECON_RETRY_SCHEDULE (reconciliation)', () => {
  it('defaults to 10:00 Asia/Shanghai over every channel, the sandbox only where it runs', () => {
    const dev = loadConfig(base).recon;
    expect(dev).toEqual({ at: { hour: 10, minute: 0 }, channels: ['sandbox', 'ipaynow', 'alipay', 'wechatpay'], retryScheduleMs: [600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000] });
    const prod = loadConfig({ ...base, PAYDURABLE_ENV: 'production', MASTER_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` }).recon;
    expect(prod.channels).toEqual(['ipaynow', 'alipay', 'wechatpay']);
  });

  it('takes a time, off, a channel list and a retry schedule', () => {
    const c = loadConfig({ ...base, RECON_AT: '3:05', RECON_CHANNELS: 'alipay, wechatpay,alipay', RECON_RETRY_SCHEDULE: '1m,5m' }).recon;
    expect(c).toEqual({ at: { hour: 3, minute: 5 }, channels: ['alipay', 'wechatpay'], retryScheduleMs: [60_000, 300_000] });
    expect(loadConfig({ ...base, RECON_AT: 'off' }).recon.at).toBeNull();
  });

  it.each([['RECON_AT', '24:00'], ['RECON_AT', '10'], ['RECON_AT', '10:60'], ['RECON_CHANNELS', 'alipay,paypal'], ['RECON_RETRY_SCHEDULE', 'soon']])(
    'refuses %s=%s naming the variable', (name, value) => {
      expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(name));
    });

  it('makes one daily schedule per channel: Asia/Shanghai, the previous day, never two runs at once', () => {
    const config = loadConfig({ ...base, RECON_AT: '09:30', TEMPORAL_TASK_QUEUE: 'q1' });
    const o = reconScheduleOptions(config, 'alipay');
    expect(o.scheduleId).toBe('recon:alipay');
    expect(o.spec).toMatchObject({ calendars: [{ hour: 9, minute: 30 }], timezone: 'Asia/Shanghai' });
    expect(o.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconciliationWorkflow', taskQueue: 'q1', args: [{ channel: 'alipay', retryScheduleMs: config.recon.retryScheduleMs }] });
    expect(o.policies).toMatchObject({ overlap: 'SKIP' });
  });
});
