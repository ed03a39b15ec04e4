/** Aave V3 (every version: v3.0-v3.6 rounding and deficit rules) as one family module. */
import type { FamilyModule } from '../../views/adapter';
import { familySdl } from '../sdl';
import { aaveV3Adapter } from './adapter';
import { aaveV3DetailsResolvers } from './details';

export const aaveV3: FamilyModule = { name: 'aave-v3', adapter: aaveV3Adapter, typeDefs: familySdl(__dirname), resolvers: aaveV3DetailsResolvers };
