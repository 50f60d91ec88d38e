// confluence.js (npm, unchanged) drives bondline's Confluence v2 API (/wiki/api/v2) through its v2
// functions for labels, content and space properties, space permissions, users and operations.
// Input: HOST, EMAIL, TOKEN, the space KEY, a PAGE id (labelled through v1) and ACCOUNTS
// (comma-separated account ids). Output: one JSON object with what each call returned.
import { createClient } from 'confluence.js/core';
import {
  createBulkUserLookup, createPageProperty, createSpaceProperty, deletePagePropertyById, getLabels,
  getPageContentProperties, getPageContentPropertiesById, getPageLabels, getPageOperations, getSpaceContentLabels,
  getSpaceLabels, getSpaceOperations, getSpacePermissionsAssignments, getSpaceProperties, getSpaces,
  updatePagePropertyById, updateSpacePropertyById,
} from 'confluence.js/v2';

const { HOST, EMAIL, TOKEN, KEY, PAGE, ACCOUNTS } = process.env;
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const out = {};
const space = (await getSpaces(client, { keys: [KEY] })).results[0];

// labels: the page's (one per request, following the cursor), the site's, the space's content's
const names = [];
let cursor;
let rounds = 0;
do {
  const page = await getPageLabels(client, { id: Number(PAGE), limit: 1, cursor });
  names.push(...page.results.map((l) => `${l.prefix}:${l.name}`));
  const next = page._links?.next;
  cursor = next ? new URL(next, HOST).searchParams.get('cursor') : undefined;
  rounds += 1;
} while (cursor && rounds < 20);
out.pageLabels = names;
const all = await getLabels(client, {});
out.labels = all.results.map((l) => l.name).sort();
const some = await getLabels(client, { labelId: [Number(all.results[0].id)] });
out.byId = some.results.map((l) => l.id);
out.labelId = all.results[0].id;
out.spaceLabels = (await getSpaceLabels(client, { id: Number(space.id) })).results.map((l) => l.name);
out.spaceContentLabels = (await getSpaceContentLabels(client, { id: Number(space.id) })).results.map((l) => l.name);

// content properties: create, read by id, update (then a stale update: 409), list, delete
const made = await createPageProperty(client, { pageId: Number(PAGE), key: 'js', value: { a: 'b' } });
const read = await getPageContentPropertiesById(client, { pageId: Number(PAGE), propertyId: Number(made.id) });
const updated = await updatePagePropertyById(client, {
  pageId: Number(PAGE), propertyId: Number(made.id), key: 'js', value: ['x'], version: { number: 2, message: 'two' },
});
let stale;
try {
  await updatePagePropertyById(client, {
    pageId: Number(PAGE), propertyId: Number(made.id), key: 'js', value: 'late', version: { number: 2 },
  });
  stale = 'accepted';
} catch (error) {
  stale = error?.status ?? error?.response?.status ?? String(error);
}
out.property = {
  id: made.id, created: made.version?.number, read: read.value, updated: [updated.value, updated.version?.number,
    updated.version?.message], stale,
};
out.listed = (await getPageContentProperties(client, { pageId: Number(PAGE) })).results.map((p) => p.key);
const kept = await createPageProperty(client, { pageId: Number(PAGE), key: 'kept', value: 'v1 reads me' });
out.keptId = kept.id;
await deletePagePropertyById(client, { pageId: Number(PAGE), propertyId: Number(made.id) });
out.afterDelete = (await getPageContentProperties(client, { pageId: Number(PAGE) })).results.map((p) => p.key);

// space properties
const sp = await createSpaceProperty(client, { spaceId: Number(space.id), key: 'sjs', value: 'one' });
const sp2 = await updateSpacePropertyById(client, {
  spaceId: Number(space.id), propertyId: Number(sp.id), key: 'sjs', value: 'two', version: { number: 2 },
});
out.spaceProperty = { created: sp.version?.number, updated: [sp2.value, sp2.version?.number] };
out.spaceProperties = (await getSpaceProperties(client, { spaceId: Number(space.id) })).results.map((p) => p.key);

// space permissions, users, operations
const assignments = await getSpacePermissionsAssignments(client, { id: Number(space.id), limit: 250 });
out.permissions = assignments.results.map((a) => `${a.principal.id}:${a.operation.key}:${a.operation.targetType}`);
const users = await createBulkUserLookup(client, { body: { accountIds: ACCOUNTS.split(',') } });
out.users = users.results.map((u) => [u.accountId, u.displayName]);
out.pageOperations = (await getPageOperations(client, { id: Number(PAGE) })).operations.map(
  (o) => `${o.operation}:${o.targetType}`);
out.spaceOperations = (await getSpaceOperations(client, { id: Number(space.id) })).operations.map(
  (o) => `${o.operation}:${o.targetType}`);
console.log(JSON.stringify(out));
