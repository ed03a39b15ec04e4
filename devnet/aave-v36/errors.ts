// Aave V3.6 reverts with custom errors (Errors.sol: `error CallerNotUmbrella();`), not v3.0's numeric
// string codes; map 4-byte selectors found in a revert message to their names for readable failures.
import { toFunctionSelector } from 'viem';
import { errorsV36Abi } from './abis';

let bySelector: Map<string, string> | undefined;

export function aaveV36ErrorName(selector: string): string | undefined {
  bySelector ??= new Map(
    errorsV36Abi
      .filter((e) => e.type === 'error')
      // Errors.sol uses only elementary argument types, so the signature is name(type,...).
      .map((e) => [toFunctionSelector(`${e.name}(${e.inputs.map((i) => i.type).join(',')})`), e.name]),
  );
  return bySelector.get(selector.toLowerCase());
}

/** Appends the Errors.sol name to messages carrying a custom-error selector ("signature: 0x…"). */
export function explainAaveV36Revert(message: string): string {
  for (const m of message.matchAll(/0x[0-9a-fA-F]{8}(?![0-9a-fA-F])/g)) {
    const name = aaveV36ErrorName(m[0]);
    if (name) return `${message} (Errors.${name})`;
  }
  return message;
}
