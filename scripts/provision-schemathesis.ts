import { ensureSchemathesis, SCHEMATHESIS_VERSION } from '../test/contract/schemathesis';

/** `npm run contract:provision`: the contract test's Schemathesis (pinned) in the project's .venv/, from PyPI when missing. */
const cli = ensureSchemathesis((m) => console.log(`[contract] ${m}`));
console.log(`[contract] schemathesis ${SCHEMATHESIS_VERSION}: ${cli}`);
