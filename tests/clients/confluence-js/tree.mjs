// confluence.js (npm, unchanged) drives bondline's page tree through its v1 functions:
// descendants, copy, hierarchy copy with its long task, and move. Input: HOST, EMAIL, TOKEN and
// the page ids in PAGES (JSON). Output: one JSON object with what each call returned.
import { createClient } from 'confluence.js/core';
import {
  copyPage, copyPageHierarchy, getContentDescendants, getDescendantsOfType, getTask, getTasks, movePage,
} from 'confluence.js/v1';

const { HOST, EMAIL, TOKEN, PAGES } = process.env;
const pages = JSON.parse(PAGES);
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const titles = (array) => array.results.map((c) => c.title);
const out = {};

const map = await getContentDescendants(client, { id: pages.root, expand: ['page'] });
out.descendantMap = titles(map.page);
out.descendants = titles(await getDescendantsOfType(client, { id: pages.root, type: 'page' }));
out.rootOnly = titles(await getDescendantsOfType(client, { id: pages.root, type: 'page', depth: 'root' }));

const copy = await copyPage(client, {
  id: pages.a, destination: { type: 'parent_page', value: pages.b }, pageTitle: 'a (js copy)', copyLabels: true,
});
out.copy = { id: copy.id, title: copy.title, space: copy.space?.key };

const task = await copyPageHierarchy(client, {
  id: pages.a, destinationPageId: pages.b, titleOptions: { prefix: 'JS ' },
});
const status = await getTask(client, { id: task.id });
out.task = { id: task.id, finished: status.finished, successful: status.successful };
out.tasks = (await getTasks(client, {})).results.map((t) => t.id);

out.move = await movePage(client, { pageId: pages.b, position: 'before', targetId: pages.a });
out.afterMove = titles(await getDescendantsOfType(client, { id: pages.root, type: 'page', depth: 'root' }));

console.log(JSON.stringify(out));
