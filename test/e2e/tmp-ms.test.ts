import fs from 'node:fs';
import { createSubgraphClient } from '../../server/sources/subgraph-client';
import { chainReader } from '../support/chain';
import type { StackState } from '../support/stack-process';
import { aaveMathUtilsSuite } from './aave-math-utils.suite';

const state = JSON.parse(fs.readFileSync(process.env.MS_STATE ?? '/tmp/devstack/state.json', 'utf8')) as StackState;
const chain = chainReader(state.rpcUrl);
const subgraph = createSubgraphClient({ url: state.subgraphs['aave-v3'] });
describe('tmp math-utils', () => aaveMathUtilsSuite(() => ({ state, chain, subgraph })));
