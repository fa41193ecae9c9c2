import type { Pool, Queryable } from '../../db/pool';
import type { ChannelTransferRef, ChannelTransferRequest, ChannelTransferStatus } from '../../domain/channels';
import { parseFenColumn } from '../../domain/money';
import type { SandboxSettings } from './settings';

interface TransferRow { out_biz_no: string; amount_fen: string; payee_account: string; settles_at: Date }

/** A transfer the sandbox made: SUCCESS once its settles_at has passed (delayed mode), PENDING before. */
const statusOf = (r: TransferRow, nowMs = Date.now()): ChannelTransferStatus => (r.settles_at.getTime() > nowMs ? { status: 'PENDING' } : {
  status: 'SUCCESS', amountFen: parseFenColumn(r.amount_fen), transferredAtMs: r.settles_at.getTime(), channelTransferNo: `SBX${r.out_biz_no}`,
});

/**
 * Pays out as `settings.payoutMode` says: at once (instant), made now and final after the delay (delayed), refused
 * (failing), or made but answered UNKNOWN as if the answer were lost on the way (unknown: only a query finds it).
 * Deduplicated by out_biz_no: a repeat with the same amount and payee answers the first transfer and moves nothing
 * (counted in `requests`); reused for anything else, it is refused.
 */
export async function transferFromSandbox(
  pool: Pool, req: ChannelTransferRequest, settings: Pick<SandboxSettings, 'payoutMode' | 'payoutDelayMs'>,
): Promise<ChannelTransferStatus> {
  if (settings.payoutMode === 'failing') return { status: 'FAIL', reason: 'the sandbox refuses payouts (SANDBOX_PAYOUT_MODE=failing)' };
  const delayMs = settings.payoutMode === 'delayed' ? settings.payoutDelayMs : 0;
  const { rows } = await pool.query<TransferRow & { first: boolean }>(
    `INSERT INTO sandbox_transfers (out_biz_no, amount_fen, payee_account, settles_at)
     VALUES ($1, $2, $3, now() + $4::int * interval '1 millisecond')
     ON CONFLICT (out_biz_no) DO UPDATE SET requests = sandbox_transfers.requests + 1
     RETURNING *, (xmax = 0) AS first`,
    [req.outBizNo, req.amountFen, req.payee.account, delayMs]);
  const row = rows[0]!;
  if (!row.first && (parseFenColumn(row.amount_fen) !== req.amountFen || row.payee_account !== req.payee.account)) {
    return { status: 'FAIL', reason: 'out_biz_no already used for another transfer' };
  }
  if (settings.payoutMode === 'unknown') return { status: 'UNKNOWN', reason: 'the sandbox lost its answer (SANDBOX_PAYOUT_MODE=unknown)' };
  return statusOf(row);
}

/** A transfer's state at the sandbox: made (SUCCESS), made and not yet final (PENDING), or never asked for (FAIL, notFound). */
export async function findSandboxTransfer(db: Queryable, ref: ChannelTransferRef): Promise<ChannelTransferStatus> {
  const { rows } = await db.query<TransferRow>('SELECT * FROM sandbox_transfers WHERE out_biz_no = $1', [ref.outBizNo]);
  return rows[0] ? statusOf(rows[0]) : { status: 'FAIL', reason: 'no such transfer at the sandbox', notFound: true };
}
