/**
 * Query limits, checked before any subgraph is asked:
 * - size and shape (tokens, aliases, depth, directives) by `@escape.tech/graphql-armor`'s rules, each
 *   reported with our own stable code;
 * - cost by our own analysis (`operationCost`), which needs the request's variables (a `first: $n`
 *   counts as $n) and so runs once the operation is resolved, not as a validation rule (validation
 *   rules never see variables).
 *
 * Cost = number of fields selected, each field under a list multiplied by the list's `first` (or its
 * default), through named and inline fragments, plus `blockPinCost` per distinct `block:` argument:
 * each distinct block computes the protocol-wide views at that block (every account of every
 * protocol it touches), which is the expensive part of a request, while repeated fields of one block
 * share one computation.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  isListType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  GraphQLError,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { researchCost } from './research-limits';

export interface QueryLimits {
  /** Nested field levels (fragments followed; introspection's own nesting not counted). */
  maxDepth: number;
  maxCost: number;
  /** Lexical tokens in the query text: bounds parsing and validation work before anything else runs. */
  maxTokens?: number;
  /** Aliased fields, counted through fragments (every distinct block needs an alias). */
  maxAliases?: number;
  maxDirectives?: number;
  /** Fields selected once fragments are expanded (whatever the lists' sizes). */
  maxFields?: number;
  /** Cost of each distinct `block:` argument (a protocol-wide view computed at that block). */
  blockPinCost?: number;
}

/**
 * Defaults, sized on the queries this gateway is for: the README's example queries are 30-60 tokens;
 * a bot batching 100 account lookups at one block with aliases (as the e2e suite does) writes ~3,000
 * tokens, 100 aliases and ~1,100 fields. A protocol-wide view costs ~6 subgraph requests per protocol
 * plus one per 1,000 open positions (README, Scaling out), so 20,000 per pin lets a request compare
 * at most 9 blocks under the 200,000 cost limit.
 */
export const DEFAULT_LIMITS: Required<QueryLimits> = {
  maxDepth: 8,
  maxCost: 200_000,
  maxTokens: 5_000,
  maxAliases: 100,
  maxDirectives: 20,
  maxFields: 2_000,
  blockPinCost: 20_000,
};

/** Lists without a `first` argument (markets, positions) are bounded by the data; this is their assumed size. */
const UNBOUNDED_LIST_SIZE = 50;
/** A page type's `first` default (schema.graphql: `first: Int = 100`). */
const PAGE_DEFAULT = 100;

export type LimitCode = 'QUERY_TOO_LARGE' | 'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY' | 'QUERY_TOO_MANY_ALIASES' | 'QUERY_TOO_MANY_DIRECTIVES' | 'QUERY_TOO_MANY_FIELDS';

export function limitError(code: LimitCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  // Status 400 for Apollo: a refused query is the caller's to fix (Apollo strips `http` from the output).
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status: 400 } } });
}

/**
 * The structural checks, run on the parsed document before Apollo validates it: graphql-js's own
 * validation compares every pair of fields sharing a response name (OverlappingFieldsCanBeMerged),
 * which took 0.9 s for `{ protocols { id x 1,000 } }` and 8.6 s for 1,000 `a: protocols(block: i)`
 * on this machine; these rules are linear, so a document that passes them validates quickly.
 * - armor's depth, alias and directive rules, each reporting our code instead of armor's generic
 *   BAD_USER_INPUT;
 * - fields written in the document (at most maxFields) and repeats of one response name in one
 *   selection set (at most MAX_REPEATS).
 */
export function structureRules(limits: QueryLimits): ValidationRule[] {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const report = (code: LimitCode, max: number) => ({
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(limitError(code, err.message.replace(/^Syntax Error: /, ''), { max }))],
  });
  const { validationRules } = new ApolloArmor({
    // Fragments flattened: depth is the nesting of fields as executed, however the query is written.
    maxDepth: { n: l.maxDepth, flattenFragments: true, ...report('QUERY_TOO_DEEP', l.maxDepth) },
    maxAliases: { n: l.maxAliases, ...report('QUERY_TOO_MANY_ALIASES', l.maxAliases) },
    maxDirectives: { n: l.maxDirectives, ...report('QUERY_TOO_MANY_DIRECTIVES', l.maxDirectives) },
    blockFieldSuggestion: { enabled: false },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
  }).protect();
  const written = (context: ValidationContext): ASTVisitor => {
    let fields = 0;
    let nesting = 0;
    const memo = new Map<string, Map<string, number>>();
    return {
      Field: {
        enter() {
          if (++fields === l.maxFields + 1) context.reportError(limitError('QUERY_TOO_MANY_FIELDS', `the query writes more than ${l.maxFields} fields`, { max: l.maxFields }));
        },
      },
      SelectionSet: {
        // Selection sets nested in the text (inline fragments included, which the flattened depth does
        // not count): graphql-js's rules recurse through them, 600 levels took over 200 ms.
        enter(node) {
          if (++nesting === MAX_NESTING + 1) context.reportError(limitError('QUERY_TOO_DEEP', `selections are nested more than ${MAX_NESTING} levels deep (fragments included)`, { max: MAX_NESTING }));
          mergedRepeats(node);
        },
        leave() {
          nesting--;
        },
      },
    };
    // Response names of the merged selection (its fragments' fields included): what the executor
    // merges is what graphql-js compares pairwise.
    function mergedRepeats(node: SelectionSetNode) {
      for (const [name, n] of responseNames(node, context, memo, new Set())) {
        if (n > MAX_REPEATS) {
          context.reportError(limitError('QUERY_TOO_MANY_FIELDS', `"${name}" is selected ${n} times in one selection set (fragments included), more than ${MAX_REPEATS}`, { max: MAX_REPEATS }));
          return;
        }
      }
    }
  };
  return [...(validationRules as ValidationRule[]), written];
}

/**
 * Armor's plugin that masks "Did you mean ..." field suggestions (they would list the schema when
 * introspection is off). Armor's cost rule is replaced by ours (variables, block pins).
 */
export function suggestionMask(): ApolloServerPlugin<any>[] {
  const { plugins } = new ApolloArmor({
    maxDepth: { enabled: false },
    maxAliases: { enabled: false },
    maxDirectives: { enabled: false },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
  }).protect();
  return plugins as ApolloServerPlugin<any>[];
}

/**
 * The limits a query text must pass before Apollo sees it: tokens (armor's lexer stops at the limit,
 * so a 1 MB query costs no more than a `maxTokens` one), then structureRules. Empty when it passes, or
 * when it is not GraphQL at all (Apollo's parser then says what is wrong).
 */
export function precheck(schema: GraphQLSchema, limits: QueryLimits): (source: string) => readonly GraphQLError[] {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const rules = structureRules(l);
  return (source) => {
    let over = false;
    let document: DocumentNode;
    try {
      document = new MaxTokensParserWLexer(source, { n: l.maxTokens, propagateOnRejection: true, onReject: [() => (over = true)] }).parseDocument();
    } catch {
      return over ? [limitError('QUERY_TOO_LARGE', `the query has more than ${l.maxTokens} tokens; split it into smaller queries`, { maxTokens: l.maxTokens })] : [];
    }
    return validate(schema, document, rules, { maxErrors: 10 });
  };
}

/** A repeated field (`{ id id }`) is legal and harmless a few times; beyond this it is an attack on validation. */
const MAX_REPEATS = 5;
/** Selection sets nested in the query text: depth 8 plus room for inline fragments at every level and more. */
const MAX_NESTING = 32;

/**
 * How often each response name occurs in a selection set once its fragments are merged in. Memoized
 * per fragment and per inline fragment's selection set: nested inline fragments are walked once, not
 * once per enclosing level (600 nested levels took 240 ms without).
 */
const inlineMemo = new WeakMap<SelectionSetNode, Map<string, number>>();
function responseNames(set: SelectionSetNode, context: ValidationContext, memo: Map<string, Map<string, number>>, onPath: Set<string>): Map<string, number> {
  const known = inlineMemo.get(set);
  if (known) return known;
  const counts = new Map<string, number>();
  inlineMemo.set(set, counts);
  const addAll = (other: Map<string, number>) => other.forEach((n, name) => counts.set(name, (counts.get(name) ?? 0) + n));
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const name = sel.alias?.value ?? sel.name.value;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      addAll(responseNames(sel.selectionSet, context, memo, onPath));
    } else {
      const name = sel.name.value;
      let inner = memo.get(name);
      const fragment = context.getFragment(name);
      if (!inner && fragment && !onPath.has(name)) {
        onPath.add(name);
        inner = responseNames(fragment.selectionSet, context, memo, onPath);
        onPath.delete(name);
        memo.set(name, inner);
      }
      if (inner) addAll(inner);
    }
  }
  return counts;
}

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | undefined;
  /** A `first` whose value is unknown counts as this (the largest the gateway accepts). */
  maxFirst: number;
}

export interface Cost {
  cost: number;
  fields: number;
  /** Distinct explicit block pins (`n:<number>` keys). */
  pins: number;
  /** The walk stopped early: the real figures are at least these. */
  partial: boolean;
}

/** Walks the operation as the executor would (fragments expanded), stopping once over a limit. */
export function operationCost(input: CostInput, limits: QueryLimits): Cost {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const { schema, document, variables = {} } = input;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const defaults = new Map<string, ValueNode>();
  for (const v of input.operation.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  // A variable's value as the executor will see it: the request's, else the declared default, else absent.
  const valueOf = (node: ValueNode): unknown => {
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      if (Object.prototype.hasOwnProperty.call(variables, name)) return variables[name];
      const d = defaults.get(name);
      return d ? valueOf(d) : undefined;
    }
    if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
    if (node.kind === Kind.NULL) return null;
    if (node.kind === Kind.STRING || node.kind === Kind.ENUM || node.kind === Kind.BOOLEAN) return node.value;
    return { unsupported: node.kind };
  };
  const pins = new Set<string>();
  let cost = 0;
  let fields = 0;
  const over = () => cost > l.maxCost || fields > l.maxFields;

  const firstOf = (node: FieldNode, def: GraphQLField<unknown, unknown>, fallback: number): number => {
    const arg = node.arguments?.find((a) => a.name.value === 'first');
    const declared = def.args.find((a) => a.name === 'first')?.defaultValue;
    const value = arg ? valueOf(arg.value) : undefined;
    // A variable given no value and no default: the largest `first` it could be.
    if (value === undefined && arg?.value.kind === Kind.VARIABLE) return input.maxFirst;
    // Absent, or an explicit null (which the resolver refuses): the declared default.
    if (value === undefined || value === null) return typeof declared === 'number' ? declared : fallback;
    // A `first` over the maximum is refused by the resolver (FIRST_TOO_LARGE): count what is allowed so that code shows.
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.min(value, input.maxFirst)) : input.maxFirst;
  };
  const multiplierOf = (node: FieldNode, def: GraphQLField<unknown, unknown>): number => {
    // A page's items were already counted by the page's own `first`.
    if (isListType(getNullableType(def.type)) && node.name.value !== 'items') return firstOf(node, def, UNBOUNDED_LIST_SIZE);
    if (getNamedType(def.type).name.endsWith('Page')) return firstOf(node, def, PAGE_DEFAULT);
    return 1;
  };
  const argValue = (node: FieldNode, name: string) => {
    const arg = node.arguments?.find((a) => a.name.value === name);
    return arg ? valueOf(arg.value) : undefined;
  };
  const notePin = (node: FieldNode) => {
    const arg = node.arguments?.find((a) => a.name.value === 'block');
    if (!arg) return;
    const value = valueOf(arg.value);
    // null or absent: the head, which the view service follows anyway.
    if (value === null || value === undefined) return;
    const key = `n:${JSON.stringify(value)}`;
    if (!pins.has(key)) {
      pins.add(key);
      cost += l.blockPinCost;
    }
  };
  const fieldDef = (parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined => {
    if (name === '__typename') return TypeNameMetaFieldDef;
    if (parent === schema.getQueryType()) {
      if (name === '__schema') return SchemaMetaFieldDef;
      if (name === '__type') return TypeMetaFieldDef;
    }
    return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  };
  // Fragments on the current path: validation already refuses cycles, this only keeps the walk finite regardless.
  const onPath = new Set<string>();
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType, multiplier: number): void => {
    for (const sel of set.selections) {
      if (over()) return;
      if (sel.kind === Kind.FIELD) {
        fields++;
        cost += multiplier;
        notePin(sel);
        // Research queries compute several protocol-wide views each (research-limits.ts).
        if (parent === schema.getQueryType()) cost += researchCost(sel.name.value, (n) => argValue(sel, n), l.blockPinCost);
        const def = fieldDef(parent, sel.name.value);
        if (def && sel.selectionSet) walk(sel.selectionSet, getNamedType(def.type), multiplier * multiplierOf(sel, def));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (type) walk(sel.selectionSet, type, multiplier);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !type || onPath.has(name)) continue;
        onPath.add(name);
        walk(fragment.selectionSet, type, multiplier);
        onPath.delete(name);
      }
    }
  };
  // A subscription's selection is computed once per event (per block), like a query at the head.
  const root = input.operation.operation === 'query' ? schema.getQueryType() : input.operation.operation === 'subscription' ? schema.getSubscriptionType() : null;
  if (root) walk(input.operation.selectionSet, root, 1);
  return { cost, fields, pins: pins.size, partial: over() };
}

/** The cost limit's verdict: null within the limits, else the error to answer. */
export function costLimitError(input: CostInput, limits: QueryLimits): GraphQLError | null {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const c = operationCost(input, l);
  const atLeast = c.partial ? 'at least ' : '';
  if (c.fields > l.maxFields) {
    return limitError('QUERY_TOO_MANY_FIELDS', `the query selects ${atLeast}${c.fields} fields (fragments expanded), more than ${l.maxFields}`, { fields: c.fields, max: l.maxFields });
  }
  if (c.cost > l.maxCost) {
    return limitError(
      'QUERY_TOO_COSTLY',
      `query cost ${atLeast}${c.cost} exceeds the limit of ${l.maxCost} (${c.pins} distinct block pins at ${l.blockPinCost} each); ask for fewer items, fields or blocks`,
      { cost: c.cost, max: l.maxCost, blockPins: c.pins },
    );
  }
  return null;
}
