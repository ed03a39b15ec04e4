/**
 * graph-node's query dialect, as far as the replay speaks it: a query document parsed (with the
 * `graphql` package) into top-level reads (`_meta`, one entity by id, or a collection with
 * first / orderBy / orderDirection / where / block), arguments resolved against the variables.
 * Anything else (fragments, directives, mutations, several operations) is refused: the replay must
 * never answer a shape it does not implement.
 */
import { Kind, parse, type FieldNode, type SelectionSetNode, type ValueNode } from 'graphql';

/** A query the replay does not implement: answered as an error, never guessed at. */
export class UnsupportedQuery extends Error {
  constructor(message: string) {
    super(`replay: unsupported query shape: ${message}`);
    this.name = 'UnsupportedQuery';
  }
}

/** One selected field; `sub` is its selection set (null for a leaf). */
export interface Selection {
  name: string;
  alias: string;
  sub: Selection[] | null;
}

/** One top-level field of the query. */
export interface Read {
  alias: string;
  field: string;
  args: Record<string, unknown>;
  selection: Selection[] | null;
}

function value(node: ValueNode, variables: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.INT:
      return Number(node.value);
    case Kind.FLOAT:
      throw new UnsupportedQuery(`float literal ${node.value}`);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => value(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, value(f.value, variables)]));
    case Kind.VARIABLE: {
      const name = node.name.value;
      if (!(name in variables)) throw new UnsupportedQuery(`variable $${name} has no value`);
      return variables[name];
    }
  }
}

function selections(set: SelectionSetNode | undefined): Selection[] | null {
  if (!set) return null;
  return set.selections.map((s) => {
    if (s.kind !== Kind.FIELD) throw new UnsupportedQuery(`${s.kind} in a selection`);
    if (s.directives?.length) throw new UnsupportedQuery(`directive on ${s.name.value}`);
    if (s.arguments?.length) throw new UnsupportedQuery(`arguments on nested field ${s.name.value}`);
    return { name: s.name.value, alias: s.alias?.value ?? s.name.value, sub: selections(s.selectionSet) };
  });
}

/** The top-level reads of a query document (one anonymous or named query operation). */
export function parseReads(query: string, variables: Record<string, unknown> = {}): Read[] {
  let doc;
  try {
    doc = parse(query);
  } catch (err) {
    throw new UnsupportedQuery(`does not parse: ${(err as Error).message}`);
  }
  if (doc.definitions.length !== 1) throw new UnsupportedQuery(`${doc.definitions.length} definitions (one query operation expected)`);
  const op = doc.definitions[0];
  if (op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'query') throw new UnsupportedQuery(`a ${op.kind === Kind.OPERATION_DEFINITION ? op.operation : op.kind}`);
  if (op.directives?.length) throw new UnsupportedQuery('directives on the operation');
  return op.selectionSet.selections.map((s) => {
    if (s.kind !== Kind.FIELD) throw new UnsupportedQuery(`${s.kind} at the top level`);
    const field = s as FieldNode;
    if (field.directives?.length) throw new UnsupportedQuery(`directive on ${field.name.value}`);
    const args = Object.fromEntries((field.arguments ?? []).map((a) => [a.name.value, value(a.value, variables)]));
    return { alias: field.alias?.value ?? field.name.value, field: field.name.value, args, selection: selections(field.selectionSet) };
  });
}

/** Merges selection trees (the union of the fields, by name). */
export function mergeSelections(into: Map<string, Map<string, unknown>>, sel: Selection[] | null): void {
  for (const s of sel ?? []) {
    let child = into.get(s.name) as Map<string, Map<string, unknown>> | undefined;
    if (!child) into.set(s.name, (child = new Map()));
    mergeSelections(child, s.sub);
  }
}

/** A merged selection tree written back as a GraphQL selection set body. */
export function selectionText(tree: Map<string, Map<string, unknown>>): string {
  return [...tree].map(([name, sub]) => (sub.size ? `${name} { ${selectionText(sub as Map<string, Map<string, unknown>>)} }` : name)).join(' ');
}
