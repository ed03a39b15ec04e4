/** The research section's resolvers (schema.graphql, "Research"), merged into the resolver map in one place. */
import { history, historyProgress } from './research-history';
import { liquidationCurve, stress } from './research-stress';
import type { QueryResolvers } from './generated/resolvers-types';

/** One root field's resolver, typed from the SDL (generated/resolvers-types.ts). */
export type QueryResolver<K extends keyof QueryResolvers> = NonNullable<QueryResolvers[K]>;

export const researchQuery = { stress, liquidationCurve, history, historyProgress } satisfies QueryResolvers;

/** The resolver map with the research queries added (its other fields untouched). */
export function withResearch<R extends { Query: object }>(resolvers: R): R {
  return { ...resolvers, Query: { ...resolvers.Query, ...researchQuery } };
}
