/**
 * The Subscription resolvers (`head`, `alerts`) and the Alert type's. Events come from the alert hub
 * (fed by the follow loop); each event is resolved with a fresh request context, so its fields are
 * computed exactly as a query at that block computes them, and nothing accumulates in a context that
 * lives as long as the subscription.
 */
import { createRequestContext, type ProtocolHandle, type RequestContext } from '../context';
import { gatewayError } from '../errors';
import { lossValueBase } from '../metrics/realized';
import type { ProtocolView } from '../views/model';
import type { Resolvers } from '../schema/generated/resolvers-types';
import type { AlertHub, HubEvent } from './hub';
import { createQueue } from './queue';
import { AlertRuleError, evaluate, evaluateLag, parseRules, type Alert, type AlertRules, type AlertRulesInput, type LossEvent } from './rules';

/** Events a subscriber may fall behind by before it is cut off (one per block: minutes of mainnet). */
export const MAX_QUEUED_EVENTS = 100;

export interface AlertOut extends Alert {
  handle: ProtocolHandle;
}

function hubOf(ctx: RequestContext): AlertHub {
  const hub = ctx.deps.hub;
  if (!hub?.live) throw gatewayError('SUBSCRIPTIONS_UNAVAILABLE', 'subscriptions need the follow loop: start the gateway with a follow interval above 0 (GATEWAY_FOLLOW_INTERVAL_MS)');
  return hub;
}

/** Per event, a new context: the subscription's own would memoize every block it ever served. */
function refresh(ctx: RequestContext): RequestContext {
  return Object.assign(ctx, createRequestContext(ctx.deps));
}

/** Loss events of a protocol up to the pinned block, as the rules read them. */
export async function lossEvents(ctx: RequestContext, handle: ProtocolHandle, pinned: Parameters<RequestContext['realizedBadDebts']>[1]): Promise<{ realized: LossEvent[]; socialized: LossEvent[] }> {
  const value = (f: { price: bigint | null } & Parameters<typeof lossValueBase>[0]) => (f.price === null ? null : lossValueBase(f));
  const [realized, socialized] = await Promise.all([ctx.realizedBadDebts(handle, pinned), ctx.socializedLosses(handle, pinned)]);
  return {
    realized: realized.map((r) => ({ id: r.fact.id, block: r.fact.block, account: r.account, market: r.fact.marketId, valueBase: value(r.fact) })),
    socialized: socialized.map((r) => ({ id: r.id, block: r.fact.block, account: r.account, market: r.fact.marketId, valueBase: value(r.fact) })),
  };
}

/**
 * The alerts of one protocol on one rule set, as they happen: what a subscription and a webhook
 * target both read. `onAlerts` gets each block's alerts in order.
 */
export function watchAlerts(hub: AlertHub, handle: ProtocolHandle, rules: AlertRules, onAlerts: (alerts: AlertOut[]) => void): () => void {
  // Events of one protocol are judged one after another (loss reads are asynchronous).
  let chain: Promise<void> = Promise.resolve();
  const wantsLosses = rules.realizedBadDebt || rules.socializedLoss;
  const judge = async (e: HubEvent): Promise<Alert[]> => {
    if (e.kind === 'lag') return e.cur.endpoint === handle.endpoint ? evaluateLag(rules, handle.protocolId, e.prev, e.cur) : [];
    if (e.handle.endpoint !== handle.endpoint || e.handle.protocolId !== handle.protocolId) return [];
    return evaluate(rules, e.prev, e.snapshot, wantsLosses && e.prev ? await e.losses() : undefined);
  };
  return hub.listen((e) => {
    chain = chain.then(async () => {
      const alerts = await judge(e).catch(() => [] as Alert[]);
      if (alerts.length) onAlerts(alerts.map((a) => ({ ...a, handle })));
    });
  });
}

function rulesOf(input: AlertRulesInput): AlertRules {
  try {
    return parseRules(input);
  } catch (err) {
    if (err instanceof AlertRuleError) throw gatewayError('BAD_USER_INPUT', err.message);
    throw err;
  }
}

export const subscriptionResolvers = {
  Subscription: {
    head: {
      async subscribe(_, args, ctx) {
        const hub = hubOf(ctx);
        const handle = await ctx.findProtocol(args.protocol);
        const queue = createQueue<ProtocolView>(MAX_QUEUED_EVENTS, () => stop());
        const stop = hub.listen((e) => {
          if (e.kind === 'head' && e.handle.endpoint === handle.endpoint && e.handle.protocolId === handle.protocolId) queue.push(e.view);
        });
        const now = hub.latest(handle);
        if (now) queue.push(now);
        return queue;
      },
      resolve(view: ProtocolView, _: unknown, ctx: RequestContext) {
        refresh(ctx);
        return view;
      },
    },
    alerts: {
      async subscribe(_, args, ctx) {
        const hub = hubOf(ctx);
        const rules = rulesOf(args.rules);
        const handle = await ctx.findProtocol(args.protocol);
        const queue = createQueue<AlertOut>(MAX_QUEUED_EVENTS * 10, () => stop());
        const stop = watchAlerts(hub, handle, rules, (alerts) => alerts.forEach((a) => queue.push(a)));
        return queue;
      },
      resolve(alert: AlertOut, _: unknown, ctx: RequestContext) {
        refresh(ctx);
        return alert;
      },
    },
  },
  GatewayStatus: {
    pushListeners: (_, __, ctx) => ctx.deps.hub?.listeners() ?? 0,
  },
  Alert: {
    async account(a, _, ctx) {
      if (!a.address || (a.rule !== 'ACCOUNT_LIQUIDATABLE' && a.rule !== 'ACCOUNT_INSOLVENT')) return null;
      return ctx.accountView(a.handle, await ctx.pin(a.handle.endpoint, a.block.number), a.address);
    },
  },
} satisfies Resolvers;
