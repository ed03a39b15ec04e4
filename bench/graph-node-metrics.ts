/**
 * graph-node's Prometheus metrics, per deployment: what the indexing benchmark reports besides CPU
 * time. Every histogram below is labelled with the deployment (gnd: the build's subgraph.yaml path).
 *  - deployment_handler_execution_time{handler}: one sample per handler call, wall seconds in the
 *    handler (wasm and host functions).
 *  - deployment_host_fn_execution_time{host_fn_name}: the host functions graph-node times one by one
 *    (ethereum.call, store.get).
 *  - deployment_eth_call_execution_time{contract_name, method}: eth_calls by contract and function.
 *  - deployment_sync_secs{section, stage}: graph-node's stopwatch, wall seconds per section of block
 *    processing (host_export_store_set, host_export_store_get, host_export_ethereum_call,
 *    module_init, as_modifications, ...).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, one sample per line (comments skipped). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

export async function scrapeMetrics(url: string): Promise<Sample[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`metrics answered HTTP ${res.status}`);
  return parsePrometheus(await res.text());
}

export interface CallsAndSeconds {
  calls: number;
  seconds: number;
}

export interface DeploymentProfile {
  handlerCalls: number;
  /** Wall seconds inside handlers, summed. */
  handlerSeconds: number;
  byHandler: Record<string, CallsAndSeconds>;
  hostFns: Record<string, CallsAndSeconds>;
  ethCalls: Record<string, CallsAndSeconds>;
  /** deployment_sync_secs of the processing stage, by section. */
  sections: Record<string, number>;
  blockProcessingSeconds: number;
}

/** Sums the metrics of the given deployments (several builds of one variant run side by side). */
export function deploymentProfile(samples: Sample[], deployments: string[]): DeploymentProfile {
  const mine = samples.filter((s) => s.labels.deployment !== undefined && deployments.includes(s.labels.deployment));
  const pairs = (metric: string, key: (l: Record<string, string>) => string) => {
    const out: Record<string, CallsAndSeconds> = {};
    for (const s of mine) {
      const part = s.name === `${metric}_count` ? 'calls' : s.name === `${metric}_sum` ? 'seconds' : undefined;
      if (!part) continue;
      const k = key(s.labels);
      out[k] ??= { calls: 0, seconds: 0 };
      out[k][part] += s.value;
    }
    return out;
  };
  const byHandler = pairs('deployment_handler_execution_time', (l) => l.handler);
  const sections: Record<string, number> = {};
  let blockProcessingSeconds = 0;
  for (const s of mine) {
    if (s.name === 'deployment_sync_secs' && s.labels.stage === 'process') sections[s.labels.section] = (sections[s.labels.section] ?? 0) + s.value;
    if (s.name === 'deployment_block_processing_duration_sum') blockProcessingSeconds += s.value;
  }
  const handlers = Object.values(byHandler);
  return {
    handlerCalls: handlers.reduce((n, h) => n + h.calls, 0),
    handlerSeconds: handlers.reduce((n, h) => n + h.seconds, 0),
    byHandler,
    hostFns: pairs('deployment_host_fn_execution_time', (l) => l.host_fn_name),
    ethCalls: pairs('deployment_eth_call_execution_time', (l) => `${l.contract_name}.${l.method}`),
    sections,
    blockProcessingSeconds,
  };
}
