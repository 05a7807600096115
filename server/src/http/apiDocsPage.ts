/**
 * GET /api/docs: the OpenAPI document as one self-contained HTML page, rendered on the server:
 * operations by tag (method, path, auth, body, answers), then the named schemas, each `$ref` a
 * link. No script, no external asset (CSP `script-src 'self'`; intranets reach no CDN).
 */
type Json = unknown;
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema?: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: Json }> }>;
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (s: string) => escape(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/** A schema as indented JSON, with every `$ref` a link to its section. */
function schemaHtml(schema: Json): string {
  const text = escape(JSON.stringify(schema, null, 2));
  return `<pre>${text.replace(/&#34;#\/components\/schemas\/([A-Za-z0-9_]+)&#34;/g, '<a href="#schema-$1">$1</a>')}</pre>`;
}

function contentHtml(content: Record<string, { schema?: Json }> | undefined): string {
  if (!content) return '';
  return Object.entries(content)
    .map(([type, media]) => {
      const ref = (media.schema as { $ref?: string } | undefined)?.$ref;
      if (ref) return `<a href="#schema-${escape(ref.split('/').pop()!)}">${escape(ref.split('/').pop()!)}</a> <small>${escape(type)}</small>`;
      if (type !== 'application/json') return `<small>${escape(type)}</small>`;
      return `<details><summary><small>${escape(type)}</small></summary>${schemaHtml(media.schema)}</details>`;
    })
    .join(' ');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const auth = op.security?.length ? op.security.map((s) => Object.keys(s)[0] ?? 'none').join(' or ') : 'none';
  const params = (op.parameters ?? []).map((p) => `<code>${escape(p.name)}</code> <small>(${escape(p.in)}${p.required ? '' : ', optional'})</small>`).join(', ');
  const body = op.requestBody ? `<p>Body: ${contentHtml(op.requestBody.content)}</p>` : '';
  const answers = Object.entries(op.responses)
    .map(([status, r]) => `<tr><td>${escape(status)}</td><td>${code(r.description)}</td><td>${contentHtml(r.content)}</td></tr>`)
    .join('');
  return `<section class="op" id="${escape(`${method}-${path}`)}">
<h3><span class="m ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p>${code(op.summary ?? '')}</p>${op.description ? `<p>${code(op.description)}</p>` : ''}
<p>Auth: <b>${escape(auth)}</b>${params ? ` · Parameters: ${params}` : ''}</p>${body}
<table><thead><tr><th>status</th><th>answer</th><th>body</th></tr></thead><tbody>${answers}</tbody></table>
</section>`;
}

export function renderApiDocsPage(doc: Record<string, unknown>): string {
  const info = doc.info as { title: string; version: string; description?: string };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const components = doc.components as { schemas?: Record<string, Json>; securitySchemes?: Record<string, { description?: string }> };
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const toc = [...byTag.keys()].map((t) => `<a href="#tag-${escape(t)}">${escape(t)}</a>`).join(' · ');
  const sections = [...byTag].map(([tag, ops]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${ops.join('\n')}`).join('\n');
  const auth = Object.entries(components.securitySchemes ?? {})
    .map(([name, s]) => `<li><b>${escape(name)}</b>: ${code(s.description ?? '')}</li>`)
    .join('');
  const schemas = Object.entries(components.schemas ?? {})
    .map(([name, s]) => `<section id="schema-${escape(name)}"><h3>${escape(name)}</h3>${schemaHtml(s)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(info.title)} ${escape(info.version)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1rem 1.5rem;color:#1b1b1b}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f4f6;padding:.6rem;overflow:auto;max-height:28rem}
.op{border-top:1px solid #ddd;padding:.4rem 0}.op h3{margin:.4rem 0;font-size:1rem}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;padding:.1rem .3rem;background:#555}
.get{background:#1a5fb4}.post{background:#26803a}.patch{background:#9c5b00}.delete{background:#b0182b}.put{background:#6a3d9a}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}a{color:#1a5fb4}
</style></head><body>
<h1>${escape(info.title)} <small>${escape(info.version)}</small></h1>
<p>${code(info.description ?? '')}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escape(String(doc.openapi))}).</p>
<p>${toc} · <a href="#schemas">schemas</a></p>
<h2>Authentication</h2><ul>${auth}</ul>
${sections}
<h2 id="schemas">Schemas</h2>
${schemas}
</body></html>
`;
}
