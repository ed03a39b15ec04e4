/** The research section's resolvers (schema.graphql, "Research"), merged into the resolver map in one place. */
import { history, historyProgress } from './research-history';
import { liquidationCurve, stress } from './research-stress';

export const researchQuery = { stress, liquidationCurve, history, historyProgress };

/** The resolver map with the research queries added (its other fields untouched). */
export function withResearch<R extends { Query: object }>(resolvers: R): R {
  return { ...resolvers, Query: { ...resolvers.Query, ...researchQuery } };
}
