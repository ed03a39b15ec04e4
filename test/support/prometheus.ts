import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** A gateway's /metrics parsed by an independent parser (parse-prometheus-text-format, prom2json's shape). */
export async function scrape(gatewayUrl: string) {
  const res = await fetch(new URL('/metrics', gatewayUrl));
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const contentType = res.headers.get('content-type') ?? '';
  const families = parsePrometheusTextFormat(await res.text());
  /** The value of one series (labels matched exactly on the ones given); undefined when absent. */
  const value = (name: string, labels: Record<string, string> = {}): number | undefined => {
    const family = families.find((f) => f.name === name);
    const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return sample?.value === undefined ? undefined : Number(sample.value);
  };
  return { contentType, families, value };
}
