/** Gearbox V3 as one family module. */
import type { FamilyModule } from '../../views/adapter';
import { familySdl } from '../sdl';
import { gearboxV3Adapter } from './adapter';
import { gearboxV3DetailsResolvers } from './details';

export const gearboxV3: FamilyModule = { name: 'gearbox-v3', adapter: gearboxV3Adapter, typeDefs: familySdl(__dirname), resolvers: gearboxV3DetailsResolvers };
