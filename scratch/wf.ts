import { sleep } from '@temporalio/workflow';
export async function sleeper(ms: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) { const t = Date.now(); await sleep(ms); out.push(Date.now() - t); }
  return out;
}
