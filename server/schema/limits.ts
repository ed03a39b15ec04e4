/**
 * Query depth and cost limits, as GraphQL validation rules: an expensive query is refused before any
 * subgraph is asked. Cost = number of fields selected, where each field under a list multiplies by the
 * list's `first` argument (or its default); the protocol-wide views are computed once per request, so
 * the cost bounds the size of the answer rather than the work behind it.
 */
import { GraphQLError, getNamedType, isListType, getNullableType, type ASTVisitor, type FieldNode, type ValidationContext } from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/** Lists without a `first` argument (markets, positions) are bounded by the data; this is their assumed size. */
const UNBOUNDED_LIST_SIZE = 50;

export function limitRules(limits: QueryLimits) {
  const depthRule = (context: ValidationContext): ASTVisitor => {
    let depth = 0;
    return {
      Field: {
        enter(node: FieldNode) {
          depth++;
          if (depth > limits.maxDepth && !node.name.value.startsWith('__')) {
            context.reportError(new GraphQLError(`query is nested deeper than ${limits.maxDepth} levels`, { nodes: [node], extensions: { code: 'QUERY_TOO_DEEP', max: limits.maxDepth } }));
          }
        },
        leave() {
          depth--;
        },
      },
    };
  };

  const costRule = (context: ValidationContext): ASTVisitor => {
    let cost = 0;
    const multipliers: number[] = [1];
    return {
      Field: {
        enter(node: FieldNode) {
          const multiplier = multipliers[multipliers.length - 1];
          cost += multiplier;
          const def = context.getFieldDef();
          let next = multiplier;
          // A page's items were already counted by the page's own `first`.
          if (def && isListType(getNullableType(def.type)) && node.name.value !== 'items') {
            const firstArg = node.arguments?.find((a) => a.name.value === 'first');
            const literal = firstArg?.value.kind === 'IntValue' ? Number(firstArg.value.value) : undefined;
            const declared = def.args.find((a) => a.name === 'first')?.defaultValue;
            next = multiplier * (literal ?? (typeof declared === 'number' ? declared : UNBOUNDED_LIST_SIZE));
          } else if (def && getNamedType(def.type).name.endsWith('Page')) {
            const firstArg = node.arguments?.find((a) => a.name.value === 'first');
            const literal = firstArg?.value.kind === 'IntValue' ? Number(firstArg.value.value) : undefined;
            next = multiplier * (literal ?? 100);
          }
          multipliers.push(next);
        },
        leave() {
          multipliers.pop();
        },
      },
      Document: {
        leave() {
          if (cost > limits.maxCost) {
            context.reportError(new GraphQLError(`query cost ${cost} exceeds the limit of ${limits.maxCost}; ask for fewer items or fields`, { extensions: { code: 'QUERY_TOO_COSTLY', cost, max: limits.maxCost } }));
          }
        },
      },
    };
  };
  return [depthRule, costRule];
}
