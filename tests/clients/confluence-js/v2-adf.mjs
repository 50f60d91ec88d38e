// confluence.js (npm, unchanged) writes and reads page bodies in Atlassian document format through
// bondline's v2 API: a page created with an ADF body, read back as ADF and as storage, updated with
// ADF, and a page written as storage read as ADF. Input: HOST, EMAIL, TOKEN and the space KEY.
// Output: one JSON object with what each call returned (the test checks it).
import { createClient } from 'confluence.js/core';
import { createPage, getPageById, getSpaces, updatePage } from 'confluence.js/v2';

const { HOST, EMAIL, TOKEN, KEY } = process.env;
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const out = {};

const space = (await getSpaces(client, { keys: [KEY] })).results[0];
const doc = (...content) => ({ type: 'doc', version: 1, content });
const text = (value, ...marks) => (marks.length ? { type: 'text', text: value, marks } : { type: 'text', text: value });
const adf = (value) => ({ representation: 'atlas_doc_format', value: JSON.stringify(value) });

const first = doc(
  { type: 'heading', attrs: { level: 1 }, content: [text('Plan')] },
  { type: 'paragraph', content: [text('Ship '), text('soon', { type: 'strong' })] },
);
const page = await createPage(client, { body: { spaceId: space.id, title: 'ADF page', body: adf(first) } });
const asAdf = await getPageById(client, { id: page.id, bodyFormat: 'atlas_doc_format' });
const asStorage = await getPageById(client, { id: page.id, bodyFormat: 'storage' });
out.created = {
  adf: JSON.parse(asAdf.body.atlas_doc_format.value),
  representation: asAdf.body.atlas_doc_format.representation,
  storage: asStorage.body.storage.value,
};

const second = doc({ type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [text('done')] }] }] });
await updatePage(client, {
  id: page.id,
  body: { id: page.id, status: 'current', title: 'ADF page', body: adf(second), version: { number: 2 } },
});
const updated = await getPageById(client, { id: page.id, bodyFormat: 'storage' });
out.updated = { storage: updated.body.storage.value, version: updated.version.number };

const fromStorage = await createPage(client, {
  body: { spaceId: space.id, title: 'Storage page', body: { representation: 'storage', value: '<p><em>hi</em></p>' } },
});
const read = await getPageById(client, { id: fromStorage.id, bodyFormat: 'atlas_doc_format' });
out.storageAsAdf = JSON.parse(read.body.atlas_doc_format.value);
console.log(JSON.stringify(out));
