/** Morpho Blue as one family module. */
import type { FamilyModule } from '../../views/adapter';
import { familySdl } from '../sdl';
import { morphoBlueAdapter } from './adapter';
import { morphoBlueDetailsResolvers } from './details';

export const morphoBlue: FamilyModule = { name: 'morpho-blue', adapter: morphoBlueAdapter, typeDefs: familySdl(__dirname), resolvers: morphoBlueDetailsResolvers };
