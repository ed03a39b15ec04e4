/**
 * The gateway's landing page: plain HTML with a tiny query form and example queries, no CDN, so it
 * works offline (Apollo's default landing page loads its sandbox from the internet).
 */
export const EXAMPLE_QUERIES: { title: string; query: string }[] = [
  {
    title: 'Is each protocol solvent, and how much bad debt does it carry?',
    query: '{ protocols { id slug block { number timestamp } pricing { source asOfBlock unpricedMarkets } latentBadDebtUSD solvencyRatio equityUSD coverageRatio insolventAccounts liquidatableAccounts unliquidatableDebtUSD } }',
  },
  {
    title: 'Top underwater accounts',
    query: '{ accounts(protocol: "aave-v3", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 10) { totalCount items { address debtUSD collateralUSD badDebtUSD healthFactor } } }',
  },
  {
    title: 'Markets: utilization, caps and bad debt',
    query: '{ protocol(id: "aave-v3") { markets { asset { symbol } priceUSD totalSuppliedUSD totalBorrowedUSD utilization latentBadDebtUSD details { family ... on AaveV3ReserveDetails { ltv liquidationThreshold supplyCapUtilization debtCeilingUtilization } } } } }',
  },
  {
    title: 'Liquidations and who profited',
    query: '{ liquidations(protocol: "aave-v3", first: 5) { totalCount stats { count debtRepaidUSD liquidatorProfitUSD protocolFeeUSD topLiquidators { liquidator count liquidatorProfitUSD } } items { block borrower debtRepaidUSD collateralSeizedUSD } } }',
  },
];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function landingPage(): string {
  const examples = EXAMPLE_QUERIES.map(
    (e, i) => `<li><a href="#" data-i="${i}">${escape(e.title)}</a></li>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bad-debt gateway</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}textarea{width:100%;height:9em;font:13px monospace}pre{background:#f4f4f4;padding:1em;overflow:auto;max-height:40em}</style>
</head><body>
<h1>Bad-debt gateway</h1>
<p>POST GraphQL to this URL (<code>{"query": "..."}</code>). Every USD amount and ratio is an exact decimal string; every result carries its block and indexing status. Examples:</p>
<ul>${examples}</ul>
<textarea id="q">${escape(EXAMPLE_QUERIES[0].query)}</textarea>
<p><button id="run">Run</button></p>
<pre id="out"></pre>
<script>
const ex=${JSON.stringify(EXAMPLE_QUERIES.map((e) => e.query))};
document.querySelectorAll('a[data-i]').forEach(a=>a.onclick=e=>{e.preventDefault();document.getElementById('q').value=ex[a.dataset.i];});
document.getElementById('run').onclick=async()=>{
  const out=document.getElementById('out');out.textContent='...';
  const res=await fetch(location.href,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({query:document.getElementById('q').value})});
  out.textContent=JSON.stringify(await res.json(),null,2);
};
</script>
</body></html>`;
}
