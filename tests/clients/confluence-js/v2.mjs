// confluence.js (npm, unchanged) drives bondline's Confluence v2 API (/wiki/api/v2) through its v2
// functions for spaces and pages: list and get spaces, create, read, list with a cursor, update and
// delete pages, a page's children and ancestors. Input: HOST, EMAIL, TOKEN and the space KEY.
// Output: one JSON object with what each call returned (the test checks it).
import { createClient } from 'confluence.js/core';
import {
  createPage, deletePage, getChildPages, getPageAncestors, getPageById, getPages, getSpaceById, getSpaces,
  updatePage,
} from 'confluence.js/v2';

const { HOST, EMAIL, TOKEN, KEY } = process.env;
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const out = {};

const spaces = await getSpaces(client, { keys: [KEY] });
const space = spaces.results[0];
out.space = { id: space.id, key: space.key, homepageId: space.homepageId };
out.spaceById = (await getSpaceById(client, { id: space.id })).key;

const storage = (value) => ({ representation: 'storage', value });
const parent = await createPage(client, { body: { spaceId: space.id, title: 'JS parent', body: storage('<p>p</p>') } });
const child = await createPage(client, {
  body: { spaceId: space.id, title: 'JS child', parentId: parent.id, body: storage('<p>c</p>') },
});
out.created = { parentId: parent.parentId, childParent: child.parentId, version: child.version?.number };

const read = await getPageById(client, { id: child.id, bodyFormat: 'storage' });
out.read = { title: read.title, body: read.body?.storage?.value, spaceId: read.spaceId };

const updated = await updatePage(client, {
  id: child.id,
  body: { id: child.id, status: 'current', title: 'JS child v2', body: storage('<p>c2</p>'), version: { number: 2 } },
});
out.updated = { title: updated.title, version: updated.version?.number };

out.children = (await getChildPages(client, { id: parent.id })).results.map((c) => c.title);
out.ancestors = (await getPageAncestors(client, { id: child.id })).results.map((a) => a.id);

const seen = [];
let cursor;
let rounds = 0;
do {
  const page = await getPages(client, { spaceId: [Number(space.id)], limit: 1, cursor });
  seen.push(...page.results.map((p) => p.title));
  const next = page._links?.next;
  cursor = next ? new URL(next, HOST).searchParams.get('cursor') : undefined;
  rounds += 1;
} while (cursor && rounds < 20);
out.listed = seen;

await deletePage(client, { id: child.id });
out.afterDelete = (await getChildPages(client, { id: parent.id })).results.map((c) => c.title);
out.ids = { parent: parent.id, child: child.id };
console.log(JSON.stringify(out));
