// Saving only what a handler changed. graph-node merges a store.set into the stored entity, and both
// directions of the copy between wasm and graph-node cost by the field: an Aave reserve state has ~25
// (a Position ~15), a handler changes a handful. An entity registered with `track` after loading remembers its values (by
// reference: the generated setters always store a new Value), and `saveChanges` hands store.set the
// id and the changed fields only. The stored entity is the one a full save gives; an untracked
// entity (just created) is saved whole. Module globals live for one handler call (graph-node runs
// each trigger in a fresh wasm instance).
import { Bytes, Entity, Value, ValueKind, store } from '@graphprotocol/graph-ts'
import { Market } from '../../generated/schema'

const trackedEntities = new Array<Entity>(0)
const trackedValues = new Array<Array<Value>>(0)

function valuesOf(e: Entity): Array<Value> {
  const values = new Array<Value>(e.entries.length)
  for (let i = 0; i < e.entries.length; i++) values[i] = e.entries[i].value
  return values
}

/** Remembers a loaded entity's values, for saveChanges. */
export function track(e: Entity | null): void {
  if (e === null) return
  trackedEntities.push(e)
  trackedValues.push(valuesOf(e))
}

function idOf(e: Entity): string {
  const id = e.get('id')
  assert(id !== null && id.kind == ValueKind.BYTES, 'saveChanges: entity without a Bytes id')
  return id!.toBytes().toHexString()
}

/** store.set of the fields changed since `track` (or since the last saveChanges); the whole entity if untracked. */
export function saveChanges(entityType: string, e: Entity): void {
  let at = -1
  for (let i = 0; i < trackedEntities.length; i++) {
    if (trackedEntities[i] === e) {
      at = i
      break
    }
  }
  if (at < 0) {
    store.set(entityType, idOf(e), e)
    return
  }
  const before = trackedValues[at]
  const changes = new Entity()
  // TypedMap.set replaces a value in place and appends new keys: entry i is still the i-th field.
  for (let i = 0; i < e.entries.length; i++) {
    const entry = e.entries[i]
    if (i >= before.length || entry.value !== before[i]) changes.entries.push(entry)
  }
  if (changes.entries.length == 0) return // unchanged: a save would not change the stored entity
  changes.set('id', e.get('id')!)
  store.set(entityType, idOf(e), changes)
  trackedValues[at] = valuesOf(e)
}

const sharedTypes = new Array<string>(0)
const sharedEntities = new Array<Entity>(0)

/**
 * An entity loaded once per handler call and tracked (save it with saveChanges): every caller gets
 * the same object, since a second load would be a second copy whose save undoes the first's changes.
 * Null when the store has none. The generated `X.load` is `changetype<X | null>(store.get(...))` too.
 */
export function loadShared(entityType: string, id: Bytes): Entity | null {
  for (let i = 0; i < sharedEntities.length; i++) {
    if (sharedTypes[i] == entityType && sharedEntities[i].getBytes('id').equals(id)) return sharedEntities[i]
  }
  const e = store.get(entityType, id.toHexString())
  if (e == null) return null
  track(e)
  sharedTypes.push(entityType)
  sharedEntities.push(e)
  return e
}

/** An entity created in this handler call: later loadShared calls return it (saved whole, untracked). */
export function rememberShared(entityType: string, e: Entity): void {
  sharedTypes.push(entityType)
  sharedEntities.push(e)
}

/** A market, loaded once per handler call and tracked: save it with saveMarket. */
export function loadMarketById(id: Bytes): Market | null {
  const e = loadShared('Market', id)
  return e == null ? null : changetype<Market>(e)
}

/** A market created in this handler call: later loadMarketById calls return it. */
export function rememberMarket(market: Market): void {
  rememberShared('Market', market)
}

export function saveMarket(market: Market): void {
  saveChanges('Market', market)
}
