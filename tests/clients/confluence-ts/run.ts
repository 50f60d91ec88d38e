// Drives every Confluence relation and watch operation against a live bondline through the SDK
// that @hey-api/openapi-ts generated from Atlassian's OpenAPI document (openapi-ts.config.ts).
// Each SDK function validates its response with the document's zod schema, so a response that
// lacks a property the document marks required, or has one of the wrong type, fails here.
//
//   BONDLINE_URL                     e.g. http://127.0.0.1:8080 (the document's paths start with /wiki)
//   BONDLINE_TOKEN                   an API token of the user doing everything below
//   BONDLINE_ACCOUNT_ID              that user's accountId (checked in the watcher lists)
//   BONDLINE_SPACE, BONDLINE_PAGE    a space and a page in it that the user can see
//   BONDLINE_LABEL                   a label on that page
//   CONFLUENCE_TS_GENERATED          the generated folder to use (default: ./generated)
//
// Prints one line per operation, `ok` or `FAILED` with the reason, then a summary; exits 1 when
// any operation failed.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { ZodError } from 'zod';

import type * as ClientModule from './generated/client';
import type * as SdkModule from './generated/sdk.gen';

type Sdk = typeof SdkModule;
type Outcome = { response?: Response; data?: unknown; error?: unknown };

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

const BASE_URL = env('BONDLINE_URL');
const TOKEN = env('BONDLINE_TOKEN');
const ME = env('BONDLINE_ACCOUNT_ID');
const SPACE = env('BONDLINE_SPACE');
const PAGE = env('BONDLINE_PAGE');
const LABEL = env('BONDLINE_LABEL');
const GENERATED = path.resolve(__dirname, process.env.CONFLUENCE_TS_GENERATED ?? 'generated');

// Watch writes are XSRF-protected: Confluence (and bondline) want this header on them.
const XSRF = { 'X-Atlassian-Token': 'no-check' } as const;
const RELATION = 'bondline-ts-client';
// The 2021 document declares no `security` for GET /space/{spaceKey}/watch, so its SDK function
// would send no credentials; Confluence Cloud, like bondline, answers 401 without them.
const BEARER = [{ scheme: 'bearer', type: 'http' }] as const;

class Unexpected extends Error {}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Unexpected(message);
  }
}

function describe(err: unknown): string {
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    return `response validation error: ${issues.join('; ')}`;
  }
  if (err instanceof Unexpected) {
    return err.message;
  }
  if (err instanceof Error) {
    return `${err.name}: ${err.message}`;
  }
  return `thrown: ${JSON.stringify(err)}`;
}

/** The response's status must be `status`; returns its (validated) data. */
function checked<T extends Outcome>(outcome: T, status: number): NonNullable<T['data']> {
  const got = outcome.response?.status;
  if (got !== status) {
    throw new Unexpected(`expected HTTP ${status}, got ${got ?? 'no response'}: ${JSON.stringify(outcome.error)}`);
  }
  return outcome.data as NonNullable<T['data']>;
}

async function main(): Promise<number> {
  const { createClient, createConfig }: typeof ClientModule = await import(
    pathToFileURL(path.join(GENERATED, 'client', 'index.ts')).href);
  const sdk: Sdk = await import(pathToFileURL(path.join(GENERATED, 'sdk.gen.ts')).href);

  // The document's security schemes are bearer and basic: answer only the bearer one.
  const client = createClient(createConfig({
    baseUrl: BASE_URL,
    auth: (scheme) => (scheme.scheme === 'bearer' ? TOKEN : undefined),
  }));
  const base = { client };
  const relation = {
    relationName: RELATION,
    sourceType: 'user',
    sourceKey: 'current',
    targetType: 'content',
    targetKey: PAGE,
  } as const;
  const expand: Array<'relationData' | 'source' | 'target'> = ['relationData', 'source', 'target'];

  const steps: Array<[keyof Sdk, () => Promise<string>]> = [
    ['createRelationship', async () => {
      const data = checked(await sdk.createRelationship({ ...base, path: relation }), 200);
      expect(data.name === RELATION, `name is ${data.name}`);
      return `PUT ${RELATION} user:current -> content:${PAGE}`;
    }],
    ['getRelationship', async () => {
      const data = checked(await sdk.getRelationship({ ...base, path: relation, query: { expand } }), 200);
      expect(data.relationData?.createdBy, 'relationData.createdBy missing');
      return `expanded relationData, source, target`;
    }],
    ['findTargetFromSource', async () => {
      const { relationName, sourceType, sourceKey, targetType } = relation;
      const data = checked(await sdk.findTargetFromSource({
        ...base, path: { relationName, sourceType, sourceKey, targetType }, query: { expand },
      }), 200);
      expect(data.size >= 1 && data.results.length === data.size, `size ${data.size}`);
      return `${data.size} target(s)`;
    }],
    ['findSourcesForTarget', async () => {
      const { relationName, sourceType, targetType, targetKey } = relation;
      const data = checked(await sdk.findSourcesForTarget({
        ...base, path: { relationName, sourceType, targetType, targetKey }, query: { expand },
      }), 200);
      expect(data.size >= 1 && data.results.length === data.size, `size ${data.size}`);
      return `${data.size} source(s)`;
    }],
    ['deleteRelationship', async () => {
      checked(await sdk.deleteRelationship({ ...base, path: relation }), 204);
      checked(await sdk.getRelationship({ ...base, path: relation }), 404);
      return 'gone afterwards (404)';
    }],
    ['addContentWatcher', async () => {
      checked(await sdk.addContentWatcher({ ...base, headers: XSRF, path: { contentId: PAGE } }), 204);
      return `watching content ${PAGE}`;
    }],
    ['getContentWatchStatus', async () => {
      const data = checked(await sdk.getContentWatchStatus({ ...base, path: { contentId: PAGE } }), 200);
      expect(data.watching === true, `watching is ${data.watching}`);
      return 'watching: true';
    }],
    ['getWatchesForPage', async () => {
      const data = checked(await sdk.getWatchesForPage({ ...base, path: { id: PAGE } }), 200);
      expect(data.results.some((w) => w.watcher.accountId === ME), `${ME} is not among ${data.size} watcher(s)`);
      return `${data.size} watcher(s)`;
    }],
    ['addSpaceWatcher', async () => {
      checked(await sdk.addSpaceWatcher({ ...base, headers: XSRF, path: { spaceKey: SPACE } }), 204);
      return `watching space ${SPACE}`;
    }],
    ['isWatchingSpace', async () => {
      const data = checked(await sdk.isWatchingSpace({ ...base, path: { spaceKey: SPACE } }), 200);
      expect(data.watching === true, `watching is ${data.watching}`);
      return 'watching: true';
    }],
    ['getWatchersForSpace', async () => {
      const data = checked(await sdk.getWatchersForSpace({ ...base, security: [...BEARER], path: { spaceKey: SPACE } }), 200);
      expect(data.results.some((w) => w.watcher.accountId === ME), `${ME} is not among ${data.size} watcher(s)`);
      return `${data.size} watcher(s)`;
    }],
    ['getWatchesForSpace', async () => {
      const data = checked(await sdk.getWatchesForSpace({ ...base, path: { id: PAGE } }), 200);
      expect(data.results.some((w) => w.watcher.accountId === ME), `${ME} is not among ${data.size} watcher(s)`);
      return `${data.size} space watcher(s)`;
    }],
    ['addLabelWatcher', async () => {
      checked(await sdk.addLabelWatcher({ ...base, headers: XSRF, path: { labelName: LABEL } }), 204);
      return `watching label ${LABEL}`;
    }],
    ['isWatchingLabel', async () => {
      const data = checked(await sdk.isWatchingLabel({ ...base, path: { labelName: LABEL } }), 200);
      expect(data.watching === true, `watching is ${data.watching}`);
      return 'watching: true';
    }],
    ['removeLabelWatcher', async () => {
      checked(await sdk.removeLabelWatcher({ ...base, headers: XSRF, path: { labelName: LABEL } }), 204);
      const after = checked(await sdk.isWatchingLabel({ ...base, path: { labelName: LABEL } }), 200);
      expect(after.watching === false, 'still watching afterwards');
      return 'watching: false afterwards';
    }],
    ['removeSpaceWatch', async () => {
      checked(await sdk.removeSpaceWatch({ ...base, headers: XSRF, path: { spaceKey: SPACE } }), 204);
      const after = checked(await sdk.isWatchingSpace({ ...base, path: { spaceKey: SPACE } }), 200);
      expect(after.watching === false, 'still watching afterwards');
      return 'watching: false afterwards';
    }],
    ['removeContentWatcher', async () => {
      checked(await sdk.removeContentWatcher({ ...base, headers: XSRF, path: { contentId: PAGE } }), 204);
      const after = checked(await sdk.getContentWatchStatus({ ...base, path: { contentId: PAGE } }), 200);
      expect(after.watching === false, 'still watching afterwards');
      return 'watching: false afterwards';
    }],
  ];

  let failed = 0;
  for (const [name, step] of steps) {
    try {
      console.log(`ok      ${name}: ${await step()}`);
    } catch (err) {
      failed += 1;
      console.log(`FAILED  ${name}: ${describe(err)}`);
    }
  }
  console.log(`${steps.length} operations: ${steps.length - failed} ok, ${failed} FAILED`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
