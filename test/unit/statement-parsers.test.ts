import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { parseAlipayBillCsv, parseAlipayBillZip } from '../../channels/alipay/statement';
import { parseWechatpayBill, unpackBill } from '../../channels/wechatpay/statement';
import { parseIpaynowStatement } from '../../channels/ipaynow/statement';
import { parseSandboxStatement, SANDBOX_STATEMENT_HEADER } from '../../channels/sandbox/statement';
import { csvFields, decodeText, readZip, signedYuanToFen, StatementFormatError } from '../../channels/statement-files';
import { writeZip } from '../../emulator/alipay/zip';
import { BillDesk } from '../../emulator/alipay/bill';
import { TradeBook } from '../../emulator/alipay/trades';
import { WechatBillDesk } from '../../emulator/wechatpay/bill';
import { OrderBook as WechatBook } from '../../emulator/wechatpay/orders';
import { OrderBook as IpaynowBook } from '../../emulator/ipaynow/orders';
import { dl001Statement } from '../../emulator/ipaynow/statement';
import { noSeeds, seedStatement } from '../../emulator/statement-seeds';
import { gunzipSync } from 'node:zlib';

const DAY = '2026-12-05';
const at = (hhmmss: string) => Date.parse(`${DAY}T${hhmmss}+08:00`);
const NOW = Date.parse('2026-12-06T10:00:00+08:00');

const ALIPAY_CSV = [
  '#支付宝业务明细查询',
  '#账号：[20880000000000000156]',
  '#起始日期：[2026年12月05日 00:00:00]   终止日期：[2026年12月06日 00:00:00]',
  '#-----------------------------------------业务明细列表----------------------------------------',
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注',
  '2026120522001400000000000001\t,P2026120500000001\t,交易\t,"Coffee, large"\t,2026-12-05 00:00:03\t,2026-12-05 00:00:05\t,\t,\t,\t,\t,buy***@example.com\t,12.50\t,12.50\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\t,-0.08\t,0.00\t,',
  '2026120522001400000000000001\t,P2026120500000001\t,退款\t,Coffee\t,2026-12-05 09:00:00\t,2026-12-05 23:59:59\t,\t,\t,\t,\t,buy***@example.com\t,-2.50\t,-2.50\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,R2026120500000001\t,0.02\t,0.00\t,',
  '#-----------------------------------------业务明细列表结束------------------------------------',
  '#交易合计：1笔，商家实收共12.50元',
  '#退款合计：1笔，商家实收共-2.50元',
  '#导出时间：[2026年12月06日 09:10:11]',
].join('\r\n');

describe('shared statement file plumbing', () => {
  it('reads signed yuan as fen without floating point, and CSV with quotes', () => {
    expect(signedYuanToFen('0.07')).toBe(7);
    expect(signedYuanToFen('-12.5')).toBe(-1250);
    expect(signedYuanToFen('1.005')).toBeNull();
    expect(csvFields('a,"b, c",,"d ""e"""')).toEqual(['a', 'b, c', '', 'd "e"']);
  });
  it('decodes GBK when the bytes are not UTF-8', () => {
    // 交易 in GBK: BD BB D2 D7
    expect(decodeText(Buffer.from([0xbd, 0xbb, 0xd2, 0xd7]))).toBe('交易');
    expect(decodeText(Buffer.from('\uFEFF交易', 'utf8'))).toBe('交易');
  });
  it('reads a ZIP and refuses one whose entry does not match its CRC', () => {
    const zip = writeZip([{ name: '明细.csv', data: Buffer.from('hello') }]);
    expect(readZip(zip).get('明细.csv')?.toString()).toBe('hello');
    const broken = Buffer.from(zip);
    broken.writeUInt32LE(broken.readUInt32LE(14) ^ 1, 14); // local CRC is not checked; the central one is
    const dirCrcAt = broken.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 16;
    broken.writeUInt32LE(broken.readUInt32LE(dirCrcAt) ^ 1, dirCrcAt);
    expect(() => readZip(broken)).toThrow(/CRC/);
    expect(() => readZip(Buffer.from('not a zip'))).toThrow(/not a ZIP/);
  });
});

describe('Alipay trade bill (业务明细 CSV in a ZIP)', () => {
  it('parses the real column layout: trades and refunds, tab-padded fields, times in Asia/Shanghai', () => {
    expect(parseAlipayBillCsv(ALIPAY_CSV)).toEqual([
      { type: 'pay', channelTradeNo: '2026120522001400000000000001', orderId: 'P2026120500000001', amountFen: 1250, status: 'TRADE_SUCCESS', atMs: at('00:00:05') },
      { type: 'refund', channelTradeNo: '2026120522001400000000000001', orderId: 'P2026120500000001', refundId: 'R2026120500000001', amountFen: 250, status: 'REFUND_SUCCESS', atMs: at('23:59:59') },
    ]);
  });
  it('refuses a file without the header or with a bad amount, naming the column', () => {
    expect(() => parseAlipayBillCsv('#支付宝业务明细查询\n')).toThrow(StatementFormatError);
    expect(() => parseAlipayBillCsv(ALIPAY_CSV.replace('12.50\t,12.50', '12.5x\t,12.50'))).toThrow(/订单金额（元）/);
  });
  it('reads what the emulator serves: the detail file of the ZIP, seeds applied', () => {
    const book = new TradeBook();
    const t = book.open({ appId: 'A1', outTradeNo: 'P1', method: 'alipay.trade.precreate', totalAmount: '3.00', subject: 's', notifyUrl: null, expireAtMs: null, state: 'TRADE_SUCCESS' });
    t.paidAtMs = at('10:00:00');
    t.refunds.set('R1', { amount: '1.00', atMs: at('11:00:00') });
    const other = book.open({ appId: 'A1', outTradeNo: 'P2', method: 'alipay.trade.precreate', totalAmount: '5.00', subject: 's', notifyUrl: null, expireAtMs: null, state: 'TRADE_SUCCESS' });
    other.paidAtMs = at('12:00:00');
    const seeds = noSeeds();
    expect(seedStatement(seeds, { amounts: { P1: 299 }, omit: ['P2'], extra: [{ type: 'pay', outTradeNo: 'P3', amountFen: 700, atMs: at('13:00:00') }] }, NOW)).toBeNull();
    const desk = new BillDesk(book, () => seeds, () => NOW);
    const issued = desk.issue('A1', DAY);
    if (!('token' in issued)) throw new Error('no token');
    const lines = parseAlipayBillZip(desk.download(issued.token)!);
    expect(lines.map((l) => [l.type, l.orderId, l.refundId, l.amountFen])).toEqual([
      ['pay', 'P1', undefined, 299], ['refund', 'P1', 'R1', 100], ['pay', 'P3', undefined, 700],
    ]);
    expect(desk.download(issued.token)).toBeNull();
    expect(desk.issue('A1', '2026-12-07')).toMatchObject({ subCode: 'isp.bill_not_exist' });
  });
});

describe('WeChat Pay trade bill (gzip, backtick-prefixed fields, summary)', () => {
  const bill = [
    '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注',
    '`2026-12-05 00:00:01,`wx0000000000000001,`1900000001,`0,`,`4200000000000000000000000001,`P1,`oUser,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`goods,`,`0.00000,`0.60%,`0.01,`',
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
    '`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00',
  ].join('\r\n');
  it('parses a SUCCESS bill and checks the summary count', () => {
    expect(parseWechatpayBill(bill, 'SUCCESS')).toEqual([
      { type: 'pay', channelTradeNo: '4200000000000000000000000001', orderId: 'P1', amountFen: 1, status: 'SUCCESS', atMs: at('00:00:01') },
    ]);
    expect(() => parseWechatpayBill(bill.replace('`1,`0.01,`0.00,`0.00', '`2,`0.01,`0.00,`0.00'), 'SUCCESS')).toThrow(/summary counts 2/);
    expect(() => parseWechatpayBill(bill.split('\r\n').slice(0, 2).join('\r\n'), 'SUCCESS')).toThrow(/no summary/);
  });
  it('checks the SHA-1 of the gunzipped bill', () => {
    const sha1 = createHash('sha1').update(bill).digest('hex');
    expect(unpackBill(gzipSync(bill), sha1.toUpperCase()).toString()).toBe(bill);
    expect(() => unpackBill(gzipSync(`${bill} `), sha1)).toThrow(/SHA-1/);
    expect(() => unpackBill(Buffer.from('plain'), sha1)).toThrow(/gzip/);
  });
  it('reads the emulator\'s SUCCESS and REFUND bills with seeds applied', () => {
    const book = new WechatBook();
    const o = book.open({ mchId: 'M1', appId: 'wxA', outTradeNo: 'P1', product: 'native', totalFen: 300, description: 'd', notifyUrl: 'http://x', expireAtMs: null, openid: null, sceneInfo: null });
    o.state = 'REFUND'; o.paidAtMs = at('10:00:00'); o.transactionId = '4200000000000000000000000009';
    o.refunds.set('R1', { outRefundNo: 'R1', refundId: '503', amountFen: 100, status: 'SUCCESS', createdAtMs: at('11:00:00'), successAtMs: at('11:00:01'), notifyUrl: null });
    const seeds = noSeeds();
    seedStatement(seeds, { amounts: { R1: 90 } }, NOW);
    const desk = new WechatBillDesk(book, () => seeds, () => NOW);
    const read = (type: 'SUCCESS' | 'REFUND') => {
      const issued = desk.issue({ mchId: 'M1', appId: 'wxA' }, DAY, type);
      if (!('token' in issued)) throw new Error(issued.message);
      return parseWechatpayBill(unpackBill(desk.download(issued.token, 'M1')!, issued.sha1), type);
    };
    expect(read('SUCCESS')).toEqual([{ type: 'pay', channelTradeNo: o.transactionId, orderId: 'P1', amountFen: 300, status: 'SUCCESS', atMs: at('10:00:00') }]);
    expect(read('REFUND')).toEqual([{ type: 'refund', channelTradeNo: o.transactionId, orderId: 'P1', refundId: 'R1', amountFen: 90, status: 'SUCCESS', atMs: at('11:00:01') }]);
  });
});

describe('IPayNow DL001 statement', () => {
  it('reads what the emulator writes and checks the header against its lines', () => {
    const book = new IpaynowBook(() => at('09:00:00'));
    const o = book.add({ appId: 'APP1', mhtOrderNo: 'P1', mhtOrderName: 'n', mhtOrderType: '01', mhtOrderAmt: '450', mhtOrderTimeOut: 3600,
      mhtOrderStartTime: '20261205090000', notifyUrl: 'http://x', deviceType: '08', payChannelType: '13' });
    o.paidAtMs = at('09:30:00');
    o.refunds.set('R1', { amountFen: 50, atMs: at('10:00:00'), nowPayRefundNo: 'NR1' });
    const seeds = noSeeds();
    seedStatement(seeds, { extra: [{ type: 'pay', outTradeNo: 'P9', amountFen: 5, atMs: at('23:00:00') }] }, NOW);
    const s = dl001Statement(book, 'APP1', '20261205', seeds, NOW);
    if (!('fileContent' in s)) throw new Error(s.problem);
    const text = gunzipSync(Buffer.from(s.fileContent, 'base64')).toString('utf8');
    expect(parseIpaynowStatement(text, { appId: 'APP1', billDate: '20261205' }).map((l) => [l.type, l.orderId, l.refundId, l.amountFen, l.atMs])).toEqual([
      ['pay', 'P1', undefined, 450, at('09:30:00')], ['refund', 'P1', 'R1', 50, at('10:00:00')], ['pay', 'P9', undefined, 5, at('23:00:00')],
    ]);
    expect(() => parseIpaynowStatement(text, { appId: 'APP2', billDate: '20261205' })).toThrow(/another app/);
    expect(() => parseIpaynowStatement(text.replace('|450|', '|451|'), { appId: 'APP1', billDate: '20261205' })).toThrow(/totals/);
    expect(dl001Statement(book, 'APP1', '20261207', seeds, NOW)).toMatchObject({ problem: expect.stringMatching(/not ready/) });
  });
});

describe('sandbox statement file', () => {
  it('parses its lines and checks the total line', () => {
    const text = [SANDBOX_STATEMENT_HEADER, 'pay,SBX1,P1,,100,paid,2026-12-04T16:00:00.000Z', 'refund,SBX1,P1,R1,40,refunded,2026-12-05T01:00:00.000Z', '#total,2,100,40', ''].join('\n');
    expect(parseSandboxStatement(text)).toEqual([
      { type: 'pay', channelTradeNo: 'SBX1', orderId: 'P1', amountFen: 100, status: 'paid', atMs: at('00:00:00') },
      { type: 'refund', channelTradeNo: 'SBX1', orderId: 'P1', refundId: 'R1', amountFen: 40, status: 'refunded', atMs: at('09:00:00') },
    ]);
    expect(() => parseSandboxStatement(text.replace('#total,2,100,40', '#total,2,100,41'))).toThrow(/#total/);
  });
});
