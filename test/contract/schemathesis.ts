import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Schemathesis, the contract fuzzer, from PyPI into the project's own virtual environment (`.venv/`, git-ignored):
 * created and installed at this pinned version when missing, reused as it is otherwise (a version check, no network).
 */
export const SCHEMATHESIS_VERSION = '4.32.5';
const ROOT = join(__dirname, '../..');
export const VENV_DIR = join(ROOT, '.venv');
const BIN = join(VENV_DIR, 'bin');
const HOOKS_DIR = join(__dirname, 'python');

export function ensureSchemathesis(log: (m: string) => void = () => undefined): string {
  const cli = join(BIN, 'schemathesis');
  if (existsSync(cli) && installedVersion() === SCHEMATHESIS_VERSION) return cli;
  const python = process.env.PYTHON ?? 'python3';
  if (!existsSync(join(BIN, 'python'))) {
    log(`creating ${VENV_DIR}`);
    run(python, ['-m', 'venv', VENV_DIR]);
  }
  log(`installing schemathesis==${SCHEMATHESIS_VERSION} from PyPI into ${VENV_DIR}`);
  run(join(BIN, 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`]);
  if (installedVersion() !== SCHEMATHESIS_VERSION) throw new Error(`schemathesis ${SCHEMATHESIS_VERSION} is not installed in ${VENV_DIR}`);
  return cli;
}

function installedVersion(): string | null {
  if (!existsSync(join(BIN, 'python'))) return null;
  const r = spawnSync(join(BIN, 'python'), ['-c', 'import importlib.metadata as m; print(m.version("schemathesis"))'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export interface ContractTarget {
  /** What is fuzzed, for messages: "merchant listener", "admin listener". */
  name: string;
  /** The listener's base URL; its document is at `${url}/openapi.json`. */
  url: string;
  /** Extra request headers (the operator token of the admin listener). */
  headers?: Record<string, string>;
  /** The merchant whose key the hook signs /api requests with. */
  merchant?: { mercNo: string; key: string };
}

/**
 * A real RSA key pair for the admin API's channel accounts: the schema states a PEM block, the server also checks that
 * the key parses, which no schema can say; the hook puts these keys where a generated case has a PEM-shaped value.
 */
function contractKeyPair(): { CONTRACT_PEM_PRIVATE: string; CONTRACT_PEM_PUBLIC: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    CONTRACT_PEM_PRIVATE: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    CONTRACT_PEM_PUBLIC: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface ContractRun {
  exitCode: number;
  output: string;
}

/**
 * Runs `schemathesis run` with every check against one listener's own document and returns its exit code (0: no
 * failure) and output. `extraArgs` go last (e.g. `--max-examples 200`, `--seed 1`).
 */
export async function runSchemathesis(target: ContractTarget, extraArgs: readonly string[] = [], echo = false): Promise<ContractRun> {
  const cli = ensureSchemathesis();
  const cwd = mkdtempSync(join(tmpdir(), 'paydurable-contract-')); // Hypothesis keeps its example database here
  const args = [
    'run', `${target.url}/openapi.json`,
    '--checks', 'all',
    // One worker: with several threads, Hypothesis' lambda reflection (ast.parse) can hit CPython 3.11's
    // "AST constructor recursion depth mismatch" race, a fuzzer crash that is no finding about the API.
    '--workers', '1',
    '--request-timeout', '20',
    '--generation-database', 'none',
    '--no-color',
    ...Object.entries(target.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ...extraArgs,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: HOOKS_DIR,
    SCHEMATHESIS_HOOKS: 'paydurable_hooks',
    CONTRACT_MERC_NO: target.merchant?.mercNo ?? '',
    CONTRACT_MERC_KEY: target.merchant?.key ?? '',
    ...contractKeyPair(),
  };
  try {
    return await new Promise<ContractRun>((resolve, reject) => {
      const child = spawn(cli, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const take = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (echo) process.stdout.write(chunk);
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
