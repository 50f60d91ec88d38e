// confluence.js (npm, unchanged) drives bondline's Confluence v2 API (/wiki/api/v2) through its v2
// functions for blog posts, versions, the page tree beyond children, space creation and content-id
// conversion: create a space, create, read, update, list (with a cursor and a sort) and delete blog
// posts, versions of pages and blog posts, descendants, direct children, renaming a page and
// converting ids to types. Each response is checked by confluence.js's own schemas. Input: HOST,
// EMAIL, TOKEN and the space KEY to create. Output: one JSON object with what each call returned.
import { createClient } from 'confluence.js/core';
import {
  convertContentIdsToContentTypes, createBlogPost, createPage, createSpace, deleteBlogPost, getBlogPostById,
  getBlogPosts, getBlogPostsInSpace, getBlogPostVersionDetails, getBlogPostVersions, getPageDescendants,
  getPageDirectChildren, getPageVersionDetails, getPageVersions, updateBlogPost, updatePageTitle,
} from 'confluence.js/v2';

const { HOST, EMAIL, TOKEN, KEY } = process.env;
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const out = {};
const storage = (value) => ({ representation: 'storage', value });

const space = await createSpace(client, { body: { key: KEY, name: 'confluence.js blog', description: {
  value: 'made by confluence.js', representation: 'plain' } } });
out.space = { id: space.id, key: space.key, name: space.name, homepageId: space.homepageId };

const first = await createBlogPost(client, { body: { spaceId: space.id, title: 'JS post one', body: storage('<p>1</p>') } });
const second = await createBlogPost(client, { body: { spaceId: space.id, title: 'JS post two', body: storage('<p>2</p>') } });
out.created = { title: first.title, version: first.version?.number, spaceId: first.spaceId };

const read = await getBlogPostById(client, { id: Number(first.id), bodyFormat: 'storage' });
out.read = { title: read.title, body: read.body?.storage?.value };

const updated = await updateBlogPost(client, { id: Number(first.id), body: {
  id: first.id, status: 'current', title: 'JS post one v2', body: storage('<p>1b</p>'),
  version: { number: 2, message: 'second' } } });
out.updated = { title: updated.title, version: updated.version?.number };

const seen = [];
let cursor;
let rounds = 0;
do {
  const page = await getBlogPosts(client, { spaceId: [Number(space.id)], sort: '-id', limit: 1, cursor });
  seen.push(...page.results.map((p) => p.title));
  const next = page._links?.next;
  cursor = next ? new URL(next, HOST).searchParams.get('cursor') : undefined;
  rounds += 1;
} while (cursor && rounds < 20);
out.listed = seen;
out.inSpace = (await getBlogPostsInSpace(client, { id: Number(space.id), sort: 'created-date' })).results
  .map((p) => p.title);

const versions = await getBlogPostVersions(client, { id: Number(first.id), bodyFormat: 'storage' });
out.blogVersions = versions.results.map((v) => [v.number, v.message, v.blogpost?.body?.storage?.value]);
const detail = await getBlogPostVersionDetails(client, { blogpostId: Number(first.id), versionNumber: 1 });
out.blogVersion = { number: detail.number, nextVersion: detail.nextVersion };

const parent = await createPage(client, { body: { spaceId: space.id, title: 'JS tree', body: storage('<p>t</p>') } });
const child = await createPage(client, { body: { spaceId: space.id, title: 'JS leaf', parentId: parent.id } });
await createPage(client, { body: { spaceId: space.id, title: 'JS deep', parentId: child.id } });
out.descendants = (await getPageDescendants(client, { id: Number(parent.id), depth: 5 })).results
  .map((d) => [d.title, d.depth]);
out.directChildren = (await getPageDirectChildren(client, { id: Number(parent.id) })).results.map((c) => c.title);
const renamed = await updatePageTitle(client, { id: Number(child.id), body: { status: 'current', title: 'JS leaf renamed' } });
out.renamed = { title: renamed.title, version: renamed.version?.number };
out.pageVersions = (await getPageVersions(client, { id: Number(child.id), sort: 'modified-date' })).results
  .map((v) => [v.number, v.page?.title]);
const pageDetail = await getPageVersionDetails(client, { pageId: Number(child.id), versionNumber: 2 });
out.pageVersion = { number: pageDetail.number, prevVersion: pageDetail.prevVersion };

out.types = (await convertContentIdsToContentTypes(client, { body: { contentIds: [first.id, Number(parent.id)] } }))
  .results;

await deleteBlogPost(client, { id: Number(second.id) });
out.trashed = (await getBlogPosts(client, { spaceId: [Number(space.id)], status: ['trashed'] })).results
  .map((p) => p.title);
await deleteBlogPost(client, { id: Number(second.id), purge: true });
out.afterPurge = (await getBlogPosts(client, { spaceId: [Number(space.id)], status: ['current', 'trashed'] }))
  .results.map((p) => p.title);
out.ids = { first: first.id, second: second.id, parent: parent.id, child: child.id };
console.log(JSON.stringify(out));
