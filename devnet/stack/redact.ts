/**
 * URLs as they may appear in logs and state files. Hosted RPC and subgraph URLs carry their API key
 * in the path (`/v2/KEY`, `/v3/KEY`, `/api/KEY/subgraphs/...`) or query, and any URL may carry a
 * password: a non-local URL keeps only its scheme and host; a local one (this machine's devnet,
 * graph-node, Postgres) only loses its password.
 */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  if (parsed.password) parsed.password = '***';
  if (LOCAL_HOSTS.has(parsed.hostname)) return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  const user = parsed.username ? `${parsed.username}:***@` : '';
  const rest = parsed.pathname !== '/' || parsed.search ? '/***' : '';
  return `${parsed.protocol}//${user}${parsed.host}${rest}`;
}

/** Every URL inside a text (an error message, a log line) redacted. */
export function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
}
