// Generates a strict TypeScript client for the Confluence relation and watch operations from
// Atlassian's OpenAPI document: types, zod schemas for every response, and SDK functions that
// validate each response against them before returning it.
//
//   CONFLUENCE_OPENAPI   the OpenAPI document (required; tests/e2e/test_typescript_client.py passes it)
//   CONFLUENCE_TS_OUT    output folder, relative to this one (default: generated)
import { defineConfig } from '@hey-api/openapi-ts';

const input = process.env.CONFLUENCE_OPENAPI;
if (!input) {
  throw new Error('set CONFLUENCE_OPENAPI to the path of the Confluence OpenAPI document');
}

// The 17 relation and watch operations bondline implements; nothing else is generated.
const API = '/wiki/rest/api';
const RELATION = `${API}/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}/{targetKey}`;
export const OPERATIONS = [
  `PUT ${RELATION}`,
  `GET ${RELATION}`,
  `DELETE ${RELATION}`,
  `GET ${API}/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}`,
  `GET ${API}/relation/{relationName}/to/{targetType}/{targetKey}/from/{sourceType}`,
  ...['content/{contentId}', 'space/{spaceKey}', 'label/{labelName}'].flatMap((what) =>
    ['GET', 'POST', 'DELETE'].map((method) => `${method} ${API}/user/watch/${what}`)),
  `GET ${API}/content/{id}/notification/child-created`,
  `GET ${API}/content/{id}/notification/created`,
  `GET ${API}/space/{spaceKey}/watch`,
];

// JSON Schema makes a name in `required` mandatory even when `properties` does not describe it,
// but the generator drops such names (the zod object then lets the property be absent). Describe
// each as "any value" so the generated schema still demands it.
function describeRequiredProperties(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(describeRequiredProperties);
    return;
  }
  if (node === null || typeof node !== 'object') {
    return;
  }
  const schema = node as { required?: unknown; properties?: Record<string, unknown>; format?: unknown; default?: unknown };
  // The int64 resolver below makes such fields JSON integers, but the generator would still write
  // their default as BigInt(0), which z.int() cannot take (UserArray.totalSize since 2024). A
  // default only fills an absent optional field, so dropping it changes nothing the client checks.
  if (schema.format === 'int64' && 'default' in schema) {
    delete schema.default;
  }
  if (Array.isArray(schema.required)) {
    for (const name of schema.required) {
      if (typeof name === 'string' && !(schema.properties && name in schema.properties)) {
        schema.properties = { ...schema.properties, [name]: {} };
      }
    }
  }
  Object.values(node).forEach(describeRequiredProperties);
}

export default defineConfig({
  input,
  output: { path: process.env.CONFLUENCE_TS_OUT ?? 'generated' },
  logs: { file: false },
  parser: {
    filters: { operations: { include: OPERATIONS } },
    // (Any array-valued `required` in an OpenAPI document is a schema's; parameters' are booleans.)
    patch: { input: describeRequiredProperties },
  },
  plugins: [
    '@hey-api/client-fetch',
    {
      name: 'zod',
      '~resolvers': {
        // The document's int64 fields (Watch.contentId, ids) would become z.coerce.bigint(),
        // which also accepts the string "123". Confluence sends them as JSON numbers: demand one.
        number: (ctx) =>
          ctx.utils.shouldCoerceToBigInt(ctx.schema.format)
            ? ctx.$(ctx.symbols.z).attr('int').call()
            : undefined,
      },
    },
    // Every SDK function parses its response with the operation's zod schema and rejects
    // (throws the ZodError) when the response does not match the document.
    { name: '@hey-api/sdk', validator: { request: false, response: 'zod' } },
  ],
});
