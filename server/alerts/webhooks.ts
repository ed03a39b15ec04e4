/**
 * Webhooks: alert rules and target URLs from a config file; each alert is POSTed as JSON to its
 * target, signed, retried with backoff, deduplicated by alert id, and logged. Each target has its own
 * queue: a target that is down or slow delays only its own alerts, never another target's.
 *
 * Signature (verify before trusting a delivery): `x-baddebt-signature: v1=<hex>` where hex is
 * HMAC-SHA256(secret, `${x-baddebt-timestamp}.${raw body}`); the timestamp (unix seconds, also in the
 * body as sentAt) lets a receiver refuse replays older than a few minutes.
 */
import { createHmac } from 'node:crypto';
import { BoundedSet, createRequestContext, type GatewayDeps, type ProtocolHandle } from '../context';
import type { AlertHub } from './hub';
import { AlertRuleError, parseRules, type AlertRules, type AlertRulesInput } from './rules';
import { watchAlerts, type AlertOut } from './subscriptions';

export interface WebhookTarget {
  name: string;
  url: string;
  secret: string;
  /** Protocol id, slug or endpoint name, as the query API's `protocol(id:)` takes it. */
  protocol: string;
  rules: AlertRules;
}

export interface WebhookRetry {
  /** First retry after this, doubling up to maxMs (default 1 s, 5 min). */
  baseMs: number;
  maxMs: number;
  /** Attempts per alert before it is given up (logged); default 12 (~30 minutes with the defaults). */
  maxAttempts: number;
  /** One attempt's deadline (default 10 s). */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetry = { baseMs: 1_000, maxMs: 300_000, maxAttempts: 12, timeoutMs: 10_000 };
/** Alert ids remembered per target (deduplication): days of alerts on a busy protocol. */
const REMEMBERED_IDS = 100_000;
/** Alerts waiting per target; beyond, the oldest are dropped and logged (a target down for hours). */
const MAX_PENDING = 10_000;

/** The config file: `{"targets": [{"name", "url", "secret" | "secretEnv", "protocol", "rules": {...AlertRules}}]}`; `env` resolves secretEnv. */
export function parseWebhookConfig(text: string, env: Record<string, string | undefined>): WebhookTarget[] {
  const fail = (m: string): never => {
    throw new Error(`webhook config: ${m}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('not valid JSON');
  }
  const targets = (raw as { targets?: unknown })?.targets;
  if (!Array.isArray(targets) || targets.length === 0) fail('needs a non-empty "targets" list');
  return (targets as Record<string, unknown>[]).map((t, i) => {
    const name = typeof t.name === 'string' && t.name ? t.name : `target-${i}`;
    if (typeof t.url !== 'string' || !/^https?:\/\//.test(t.url)) fail(`${name}: "url" must be an http(s) URL`);
    const secret = typeof t.secretEnv === 'string' ? env[t.secretEnv] : t.secret;
    if (typeof secret !== 'string' || secret.length < 16) fail(`${name}: a "secret" (or "secretEnv" naming a set variable) of at least 16 characters is required`);
    if (typeof t.protocol !== 'string' || !t.protocol) fail(`${name}: "protocol" is required`);
    let rules: AlertRules;
    try {
      rules = parseRules((t.rules ?? {}) as AlertRulesInput);
    } catch (err) {
      throw err instanceof AlertRuleError ? new Error(`webhook config: ${name}: ${err.message}`) : err;
    }
    return { name, url: t.url as string, secret: secret as string, protocol: t.protocol as string, rules };
  });
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a target receives: the alert without the gateway's internal handle. */
export function alertBody(a: AlertOut, sentAt: number): string {
  const { handle: _handle, block, ...alert } = a;
  return JSON.stringify({ ...alert, block: { number: block.number, hash: block.hash, timestamp: block.timestamp }, sentAt });
}

export interface Webhooks {
  stop(): Promise<void>;
}

export type DeliveryOutcome = 'delivered' | 'attempt_failed' | 'given_up' | 'dropped';

export interface WebhookOptions {
  retry?: Partial<WebhookRetry>;
  log?: (line: string) => void;
  /** Each delivery attempt's outcome (the Prometheus counter). */
  onOutcome?: (target: string, outcome: DeliveryOutcome) => void;
}

export function startWebhooks(hub: AlertHub, deps: GatewayDeps, targets: WebhookTarget[], options: WebhookOptions = {}): Webhooks {
  const retry = { ...DEFAULT_WEBHOOK_RETRY, ...options.retry };
  const log = options.log ?? (() => undefined);
  const count = (target: WebhookTarget, outcome: DeliveryOutcome) => options.onOutcome?.(target.name, outcome);
  let stopped = false;
  const running = new Set<Promise<void>>();
  // Backoff waits, ended at once by stop().
  const waits = new Map<NodeJS.Timeout, () => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => (waits.delete(t), resolve()), ms);
      waits.set(t, resolve);
    });

  const deliver = async (target: WebhookTarget, alert: AlertOut): Promise<void> => {
    for (let attempt = 1; attempt <= retry.maxAttempts && !stopped; attempt++) {
      const sentAt = Math.floor(Date.now() / 1000);
      const body = alertBody(alert, sentAt);
      let outcome: string;
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-baddebt-alert-id': alert.id, 'x-baddebt-timestamp': String(sentAt), 'x-baddebt-signature': signature(target.secret, sentAt, body), 'x-baddebt-attempt': String(attempt) },
          body,
          signal: AbortSignal.timeout(retry.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          count(target, 'delivered');
          log(`webhook ${target.name}: ${alert.rule} ${alert.id} delivered (attempt ${attempt}, ${res.status})`);
          return;
        }
        outcome = `HTTP ${res.status}`;
      } catch (err) {
        outcome = (err as Error).name === 'TimeoutError' ? `no answer in ${retry.timeoutMs} ms` : 'connection failed';
      }
      const wait = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
      count(target, attempt < retry.maxAttempts ? 'attempt_failed' : 'given_up');
      log(`webhook ${target.name}: ${alert.rule} ${alert.id} attempt ${attempt} failed (${outcome})${attempt < retry.maxAttempts ? `; retrying in ${wait} ms` : '; giving up'}`);
      if (attempt < retry.maxAttempts) await sleep(wait);
    }
  };

  const stops = targets.map((target) => {
    const seen = new BoundedSet(REMEMBERED_IDS);
    const pending: AlertOut[] = [];
    let draining = false;
    const drain = () => {
      if (draining) return;
      draining = true;
      const run = (async () => {
        while (pending.length && !stopped) await deliver(target, pending.shift()!);
        draining = false;
      })();
      running.add(run);
      void run.finally(() => running.delete(run));
    };
    const enqueue = (alerts: AlertOut[]) => {
      for (const a of alerts) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        pending.push(a);
        if (pending.length > MAX_PENDING) count(target, 'dropped');
        if (pending.length > MAX_PENDING) log(`webhook ${target.name}: ${pending.shift()!.id} dropped: ${MAX_PENDING} alerts waiting`);
      }
      drain();
    };
    // The protocol is looked up when the first block arrives (it may not be indexed yet at start-up).
    let watching: (() => void) | null = null;
    let resolving = false;
    const waitForProtocol = hub.listen(() => {
      if (watching || resolving || stopped) return;
      resolving = true;
      createRequestContext(deps)
        .findProtocol(target.protocol)
        .then((handle: ProtocolHandle) => {
          if (stopped || watching) return;
          watching = watchAlerts(hub, handle, target.rules, enqueue);
          waitForProtocol();
          log(`webhook ${target.name}: watching ${handle.endpoint}/${handle.protocolId}`);
        })
        .catch((err: Error) => log(`webhook ${target.name}: protocol ${target.protocol} not found yet (${err.message})`))
        .finally(() => (resolving = false));
    });
    return () => {
      waitForProtocol();
      watching?.();
    };
  });

  return {
    async stop() {
      stopped = true;
      for (const s of stops) s();
      for (const [t, resolve] of waits) {
        clearTimeout(t);
        resolve();
      }
      waits.clear();
      await Promise.allSettled([...running]);
    },
  };
}
