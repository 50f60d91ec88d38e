// confluence.js (npm, unchanged) runs CQL against bondline through its v1 functions searchByCQL
// (GET /wiki/rest/api/search), following `_links.next` by its `cursor`, searchContentByCQL
// (GET /wiki/rest/api/content/search) and searchUser (GET /wiki/rest/api/search/user).
// Input: HOST, EMAIL, TOKEN, SPACE. Output: one JSON object.
import { createClient } from 'confluence.js/core';
import { searchByCQL, searchContentByCQL, searchUser } from 'confluence.js/v1';

const { HOST, EMAIL, TOKEN, SPACE } = process.env;
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const out = {};

const first = await searchByCQL(client, { cql: `space = ${SPACE} and label = "js" order by title`, limit: 2 });
out.titles = first.results.map((r) => r.title);
out.totalSize = first.totalSize;
out.entityTypes = first.results.map((r) => r.entityType);
const cursor = new URLSearchParams(first._links.next.split('?')[1]).get('cursor');
const second = await searchByCQL(client, {
  cql: `space = ${SPACE} and label = "js" order by title`, limit: 2, cursor, next: true,
});
out.nextTitles = second.results.map((r) => r.title);

const favourites = await searchByCQL(client, { cql: `favourite = currentUser() and space = ${SPACE}` });
out.favourites = favourites.results.map((r) => r.content.id);

const text = await searchContentByCQL(client, { cql: `space = ${SPACE} and text ~ "kubernetes"`, expand: ['space'] });
out.text = text.results.map((c) => [c.title, c.space.key]);

const people = await searchUser(client, { cql: 'user.fullname ~ ali' });
out.users = people.results.map((r) => [r.user.accountId, r.entityType]);

try {
  await searchByCQL(client, { cql: 'type = page and (' });
  out.badCql = 'no error';
} catch (err) {
  const body = err.response?.data ?? err.data ?? err.body ?? {};
  out.badCql = { status: err.response?.status ?? err.status ?? err.statusCode, message: body.message ?? err.message };
}
console.log(JSON.stringify(out));
