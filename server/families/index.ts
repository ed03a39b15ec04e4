/**
 * The registry of protocol families the gateway serves, read by the gateway (adapters, SDL,
 * resolvers), the devnet and the stack (each devnet protocol names its family here). Adding a
 * family is its folder and one line below.
 */
import type { FamilyModule } from '../views/adapter';
import { aaveV3 } from './aave-v3';
import { gearboxV3 } from './gearbox-v3';
import { morphoBlue } from './morpho-blue';

export const FAMILIES: readonly FamilyModule[] = [aaveV3, morphoBlue, gearboxV3];

export function familyNamed(name: string): FamilyModule | undefined {
  return FAMILIES.find((f) => f.name === name);
}
