/** Runs an export's page query through Apollo (plugins, limits and resolvers as any request). */
import type { ApolloServer } from '@apollo/server';
import type { RequestContext } from '../context';
import type { Execute } from './route';

export function exportExecutor(apollo: ApolloServer<RequestContext>, context: () => RequestContext): Execute {
  return async (query, variables) => {
    const response = await apollo.executeOperation({ query, variables }, { contextValue: context() });
    if (response.body.kind !== 'single') throw new Error('an export query answered incrementally');
    const { data, errors, extensions } = response.body.singleResult;
    return { data: data as Record<string, unknown> | null | undefined, errors, extensions };
  };
}
