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

const loadedMarkets = new Array<Market>(0)

/**
 * A market, loaded and tracked: save it with saveMarket. Within one handler call every caller gets
 * the same object (a second load would be a second copy whose save undoes the first's changes).
 */
export function loadMarketById(id: Bytes): Market | null {
  for (let i = 0; i < loadedMarkets.length; i++) if (loadedMarkets[i].id.equals(id)) return loadedMarkets[i]
  const market = Market.load(id)
  if (market == null) return null
  track(market)
  loadedMarkets.push(market)
  return market
}

/** A market created in this handler call: later loadMarketById calls return it. */
export function rememberMarket(market: Market): void {
  loadedMarkets.push(market)
}

export function saveMarket(market: Market): void {
  saveChanges('Market', market)
}
