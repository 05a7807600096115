import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';
import { ERROR_CODES } from '@nomades/shared';

/**
 * UI-2: the client's catalogues (client/src/i18n/locales/<language>/<namespace>.json) say the
 * same things in every language, and every key the code asks for is there. A string missing in
 * one language, a placeholder dropped in translation, a `t('…')` without words, an error code or a
 * notice code without a sentence, or visible text written into a component fails here.
 */
const CLIENT = path.resolve(import.meta.dirname, '../../client/src');
const LOCALES_DIR = path.join(CLIENT, 'i18n/locales');
const LANGUAGES = fs.readdirSync(LOCALES_DIR).sort();
type Tree = { [key: string]: string | Tree };

function load(language: string): Record<string, Tree> {
  const dir = path.join(LOCALES_DIR, language);
  return Object.fromEntries(
    fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Tree]),
  );
}

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

const catalogues = Object.fromEntries(LANGUAGES.map((l) => [l, load(l)]));
const keysOf = (language: string, ns: string) => flatten(catalogues[language]![ns] ?? {});
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'i18n' ? [] : sources(full);
    return /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

test('French and English exist, with the same namespaces', () => {
  assert.equal(LANGUAGES, ['en', 'fr']);
  assert.equal(Object.keys(catalogues.fr!).sort(), Object.keys(catalogues.en!).sort());
});

test('every key of one language is in the other, not empty, with the same placeholders', () => {
  const problems: string[] = [];
  for (const ns of Object.keys(catalogues.fr!)) {
    const fr = keysOf('fr', ns);
    const en = keysOf('en', ns);
    for (const [key, text] of fr) {
      if (!en.has(key)) problems.push(`${ns}:${key} missing in en`);
      else if (placeholders(text).join() !== placeholders(en.get(key)!).join()) problems.push(`${ns}:${key} placeholders differ`);
      if (!text.trim()) problems.push(`${ns}:${key} empty in fr`);
    }
    for (const [key, text] of en) {
      if (!fr.has(key)) problems.push(`${ns}:${key} missing in fr`);
      if (!text.trim()) problems.push(`${ns}:${key} empty in en`);
    }
  }
  assert.equal(problems, []);
});

/** `key` as i18next resolves it: itself, or its plural forms. */
function resolves(keys: Map<string, string>, key: string): boolean {
  return keys.has(key) || keys.has(`${key}_one`) || keys.has(`${key}_other`) || [...keys.keys()].some((k) => k.startsWith(`${key}_`));
}

test("every t('…') in client/src has words in every language (template keys: their prefix exists)", () => {
  const problems: string[] = [];
  let calls = 0;
  for (const file of sources(CLIENT)) {
    const text = fs.readFileSync(file, 'utf8');
    const ns = /useTranslation\('(\w+)'\)/.exec(text)?.[1] ?? 'common';
    for (const m of text.matchAll(/\bt\(\s*(['`])([^'`$]+)(\$\{)?/g)) {
      calls++;
      const [, , raw, template] = m;
      const [space, key] = raw!.includes(':') ? raw!.split(':') : [ns, raw!];
      for (const language of LANGUAGES) {
        const keys = keysOf(language, space!);
        const ok = template ? [...keys.keys()].some((k) => k.startsWith(key!)) : resolves(keys, key!);
        if (!ok) problems.push(`${path.relative(CLIENT, file)}: ${space}:${key}${template ? '…' : ''} missing in ${language}`);
      }
    }
  }
  assert.ok(calls > 100, `found the translation calls (${calls})`);
  assert.equal(problems, []);
});

test('every wire error code and every notice code has a sentence in every language', () => {
  const notices = [...fs.readFileSync(path.join(CLIENT, 'media/Notice.ts'), 'utf8').matchAll(/\| '(\w+)'/g)].map((m) => m[1]!);
  assert.ok(notices.length > 10, 'notice codes read');
  for (const language of LANGUAGES) {
    const errors = keysOf(language, 'errors');
    const common = keysOf(language, 'common');
    for (const code of Object.keys(ERROR_CODES)) assert.ok(errors.has(code), `errors:${code} in ${language}`);
    for (const code of notices) assert.ok(resolves(common, `notice.${code}`) || [...common.keys()].some((k) => k.startsWith(`notice.${code}.`)), `notice.${code} in ${language}`);
    for (const code of notices.filter((c) => c.startsWith('media'))) assert.ok(common.has(`mediaHelp.${code}`), `mediaHelp.${code} in ${language}`);
  }
});

/** JSX text and text attributes of a component, as TypeScript parses them. */
function visibleLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && /[A-Za-zÀ-ÿ]{2,}/.test(node.text)) found.push(`text "${node.text.trim()}"`);
    if (ts.isJsxAttribute(node) && node.initializer && ts.isStringLiteral(node.initializer) && /[A-Za-z]/.test(node.initializer.text)) {
      const name = node.name.getText(source);
      if (['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-roledescription'].includes(name)) found.push(`${name}="${node.initializer.text}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no visible text is written into a component: JSX text and text attributes go through t()', () => {
  const allowed = new Set(['text "Nomades Visio"']);
  const problems = sources(path.join(CLIENT, 'ui'))
    .filter((f) => f.endsWith('.tsx'))
    .flatMap((f) => visibleLiterals(f).filter((l) => !allowed.has(l)).map((l) => `${path.basename(f)}: ${l}`));
  assert.equal(problems, []);
});

test.run();
