// Typed errors of the Gearbox devnet, with stable codes (branch on `code`, not on messages), and the
// revert decoder: Gearbox reverts with custom errors (IExceptions.sol), which an eth_call replay shows
// only as a 4-byte selector; explainGearboxRevert names it.
import { decodeErrorResult, type Hex } from 'viem';
import { gearboxErrorsAbi } from './abis';

export type GearboxDevnetErrorCode =
  | 'GEARBOX_BAD_OPTIONS' // the caller's options contradict the market config (token decimals, missing feeds)
  | 'GEARBOX_DEPLOY_FAILED' // a deployment tx reverted or the wiring read back differs from what was sent
  | 'GEARBOX_PLAN_INVALID' // the seeded plan cannot produce the outcomes the scenario promises
  | 'GEARBOX_OUTCOME_MISSING'; // the chain did not show a promised outcome (e.g. no uncovered loss)

export class GearboxDevnetError extends Error {
  constructor(
    readonly code: GearboxDevnetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GearboxDevnetError';
  }
}

/** Name of a Gearbox custom error from revert data (`0x` + selector + args), or undefined. */
export function gearboxErrorName(data: Hex): string | undefined {
  try {
    return decodeErrorResult({ abi: gearboxErrorsAbi, data }).errorName;
  } catch {
    return undefined;
  }
}

/** Appends the custom error's name to a message that carries a 4-byte selector or revert data. */
export function explainGearboxRevert(message: string): string {
  const m = /0x[0-9a-fA-F]{8,}/.exec(message);
  const name = m && gearboxErrorName(m[0] as Hex);
  return name ? `${message} (${name})` : message;
}
