/**
 * The subgraph's entity types as graph-node exposes them, read from the subgraph schema
 * (schema.graphql at the repository root): each entity's fields with their scalar type or the
 * entity they reference, and the names graph-node gives its queries (Position -> position /
 * positions, EModeCategory -> emodeCategory / emodeCategories).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type TypeNode } from 'graphql';

export interface EntityField {
  name: string;
  /** Scalar (ID, Bytes, BigInt, BigDecimal, Int, String, Boolean), enum, or entity type name. */
  type: string;
  list: boolean;
  /** The field's type is an entity or interface (a reference: `{ id ... }` in queries, an id in filters). */
  reference: boolean;
  /** @derivedFrom: not stored on the entity. */
  derived: boolean;
}

export interface EntityType {
  name: string;
  /** graph-node's query field for one entity / for the collection. */
  single: string;
  plural: string;
  fields: Map<string, EntityField>;
}

export const SUBGRAPH_SCHEMA = path.resolve(__dirname, '..', '..', 'schema.graphql');

function named(t: TypeNode): { type: string; list: boolean } {
  if (t.kind === Kind.NON_NULL_TYPE) return named(t.type);
  if (t.kind === Kind.LIST_TYPE) return { type: named(t.type).type, list: true };
  return { type: t.name.value, list: false };
}

/**
 * graph-node's field names (camel case as the Inflector crate splits words: a word starts at a
 * capital after a small letter, so the first word of EModeCategory is EMode -> emodeCategory), plural
 * per English rules.
 */
export function queryNames(typeName: string): { single: string; plural: string } {
  const lead = /^[^a-z]*[a-z0-9]*/.exec(typeName)![0];
  const single = lead.toLowerCase() + typeName.slice(lead.length);
  const plural = /[^aeiou]y$/.test(single) ? `${single.slice(0, -1)}ies` : /(s|x|ch|sh)$/.test(single) ? `${single}es` : `${single}s`;
  return { single, plural };
}

export function loadEntityTypes(schemaFile = SUBGRAPH_SCHEMA): Map<string, EntityType> {
  const doc = parse(fs.readFileSync(schemaFile, 'utf8'));
  const objectNames = new Set<string>();
  for (const d of doc.definitions) {
    if (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.INTERFACE_TYPE_DEFINITION) objectNames.add(d.name.value);
  }
  const out = new Map<string, EntityType>();
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION || !d.directives?.some((x) => x.name.value === 'entity')) continue;
    const fields = new Map<string, EntityField>();
    for (const f of d.fields ?? []) {
      const { type, list } = named(f.type);
      fields.set(f.name.value, { name: f.name.value, type, list, reference: objectNames.has(type), derived: !!f.directives?.some((x) => x.name.value === 'derivedFrom') });
    }
    out.set(d.name.value, { name: d.name.value, ...queryNames(d.name.value), fields });
  }
  return out;
}

/** The entity type a top-level query field reads, and whether it is the collection. */
export function typeOfQueryField(types: Map<string, EntityType>, field: string): { type: EntityType; many: boolean } | null {
  for (const type of types.values()) {
    if (type.plural === field) return { type, many: true };
    if (type.single === field) return { type, many: false };
  }
  return null;
}
