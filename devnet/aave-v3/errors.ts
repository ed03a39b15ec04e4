// Aave V3 reverts with numeric codes ('34'); map them to the names in Errors.sol for readable failures.
import fs from 'node:fs';
import path from 'node:path';

let codes: Map<string, string> | undefined;

export function aaveErrorName(code: string): string | undefined {
  if (!codes) {
    codes = new Map();
    const file = path.join(path.dirname(require.resolve('@aave/core-v3/package.json')), 'contracts/protocol/libraries/helpers/Errors.sol');
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/constant (\w+) = '(\d+)'/g)) codes.set(m[2], m[1]);
  }
  return codes.get(code);
}

/** Appends the Errors.sol name to "reverted with reason: 34." style messages. */
export function explainAaveRevert(message: string): string {
  const m = /reason:\s*(\d+)/.exec(message);
  const name = m && aaveErrorName(m[1]);
  return name ? `${message} (Errors.${name})` : message;
}
