/**
 * An accessibility audit of the page open in the test browser: axe-core's own `axe.min.js` injected
 * and run on the whole document. Returns the serious and critical violations (labels, contrast,
 * landmarks, ...), each with up to 5 offending elements; a test expects none.
 */
import type { Browser } from './browser';

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

export async function seriousA11yViolations(browser: Browser): Promise<AxeViolation[]> {
  if (!(await browser.eval<boolean>('typeof window.axe === "object"'))) await browser.addScript(require.resolve('axe-core/axe.min.js'));
  return browser.eval<AxeViolation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1).join(' ')) })))`);
}
