import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
export const AXE_SOURCE: string = (require('axe-core') as { source: string }).source;

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * WCAG 2.5.3 "label in name" (RGAA 6.1.5): a control's accessible name contains its visible text,
 * so that voice control can say what it reads. Experimental (off) in axe-core 4.11, so named here
 * explicitly: `rules` overrides the tag selection, whatever the axe-core version does by default.
 */
export const EXPLICIT_RULES = ['label-content-name-mismatch'] as const;

/**
 * Runs axe-core in the page against WCAG 2.1 A and AA (what RGAA 4 follows) plus EXPLICIT_RULES,
 * and returns the serious and critical violations, each with the elements it found.
 */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  // Evaluated through the DevTools protocol: the page's own CSP (script-src 'self') stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(findSeriousInPage, [...EXPLICIT_RULES]);
}

/** Runs in the page, where axe-core was evaluated (AXE_SOURCE): serialized by Playwright or Puppeteer. */
export async function findSeriousInPage(explicit: string[]): Promise<AxeFinding[]> {
  const axe = (window as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
  const rules = Object.fromEntries(explicit.map((id) => [id, { enabled: true }]));
  const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, rules, resultTypes: ['violations'] });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

export function describeFindings(findings: AxeFinding[]): string {
  return findings.map((f) => `${f.impact} ${f.id}: ${f.help}\n    ${f.targets.join('\n    ')}`).join('\n');
}
