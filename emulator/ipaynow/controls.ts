import { applyFaults, defaultFaults, type Faults, type FaultsPatch } from './faults';
import type { Notifier, NotifyAttemptRecord } from './notifier';
import type { EmulatedOrder, OrderBook, PayOutcome } from './orders';
import type { ApiCallRecord } from './protocol';

/** What a test (or the HTTP control routes) can do with a running emulator. */
export interface IpaynowEmulatorControls {
  /** The payer pays the order (then N001 goes out, as the fault switches say). */
  pay(mhtOrderNo: string, opts?: { evenIfClosed?: boolean; payConsumerId?: string }): PayOutcome;
  faults(): Faults;
  setFaults(patch: FaultsPatch): void;
  resetFaults(): void;
  /** An order with its current transStatus, or null. */
  order(mhtOrderNo: string): (EmulatedOrder & { transStatus: string }) | null;
  /** Forces the transStatus MQ002 reports for an unpaid order (e.g. A002, A005, A003, A00I); null undoes it. */
  setTransStatus(mhtOrderNo: string, transStatus: string | null): void;
  /** Sends the order's current state as N001 again (e.g. a late duplicate, hours later). */
  resendNotification(mhtOrderNo: string): void;
  /** WP001/MQ002 calls received, optionally of one order. */
  calls(mhtOrderNo?: string): ApiCallRecord[];
  /** N001 attempts made, optionally of one order. */
  notifications(mhtOrderNo?: string): NotifyAttemptRecord[];
  /** Registers another app (appId → appKey), e.g. a merchant's own IPayNow application. */
  addApp(appId: string, appKey: string): void;
}

export function createControls(d: { book: OrderBook; notifier: Notifier; apps: Map<string, string>; calls: ApiCallRecord[] }): {
  controls: IpaynowEmulatorControls;
  currentFaults: () => Faults;
} {
  let faults = defaultFaults();
  const controls: IpaynowEmulatorControls = {
    pay(mhtOrderNo, opts = {}) {
      const outcome = d.book.pay(mhtOrderNo, opts);
      if (outcome.paid) d.notifier.paid(outcome.order);
      return outcome;
    },
    faults: () => faults,
    setFaults(patch) {
      faults = applyFaults(faults, patch);
    },
    resetFaults() {
      faults = defaultFaults();
    },
    order(mhtOrderNo) {
      const o = d.book.get(mhtOrderNo);
      return o ? { ...o, transStatus: d.book.statusOf(o) } : null;
    },
    setTransStatus(mhtOrderNo, transStatus) {
      const o = d.book.get(mhtOrderNo);
      if (!o) throw new Error(`no emulated order ${mhtOrderNo}`);
      if (transStatus === null) delete o.forcedStatus;
      else o.forcedStatus = transStatus;
    },
    resendNotification(mhtOrderNo) {
      const o = d.book.get(mhtOrderNo);
      if (!o) throw new Error(`no emulated order ${mhtOrderNo}`);
      d.notifier.resend(o, d.book.statusOf(o));
    },
    calls: (mhtOrderNo) => d.calls.filter((c) => mhtOrderNo === undefined || c.mhtOrderNo === mhtOrderNo),
    notifications: (mhtOrderNo) => (mhtOrderNo === undefined ? [...d.notifier.attempts] : d.notifier.forOrder(mhtOrderNo)),
    addApp(appId, appKey) {
      d.apps.set(appId, appKey);
    },
  };
  return { controls, currentFaults: () => faults };
}
