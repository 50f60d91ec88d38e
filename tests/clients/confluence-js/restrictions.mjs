// confluence.js (npm, unchanged) drives bondline's restrictions, permission check, labels, groups and
// versions through its v1 functions, validating each response with its own schemas. Input: HOST,
// EMAIL and TOKEN (a site admin), PAGE (a page with two versions), ALICE and BOB (account ids).
// Output: one JSON object with what each call returned.
import { createClient } from 'confluence.js/core';
import {
  addGroupToContentRestrictionByGroupId, addLabelsToContent, addRestrictions, addUserToContentRestriction,
  addUserToGroupByGroupId, checkContentPermission, createGroup, deleteContentVersion, deleteRestrictions,
  getAllLabelContent, getContentRestrictionStatusForUser, getGroupMembersByGroupId, getGroupMembershipsForUser,
  getGroups, getIndividualGroupRestrictionStatusByGroupId, getRestrictions, getRestrictionsByOperation,
  getRestrictionsForOperation, removeGroupFromContentRestriction, removeUserFromContentRestriction,
  restoreContentVersion, updateRestrictions,
} from 'confluence.js/v1';

const { HOST, EMAIL, TOKEN, PAGE, ALICE, BOB } = process.env;
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const out = {};
const named = (array) => Object.fromEntries(array.results.map((r) => [r.operation, {
  users: r.restrictions.user.results.map((u) => u.accountId),
  groups: r.restrictions.group.results.map((g) => g.name),
}]));
const status = async (call) => {
  try {
    await call();
    return 200;
  } catch (error) {
    return error?.status ?? error?.response?.status ?? String(error);
  }
};

// groups
const group = await createGroup(client, { name: 'js-readers' });
await addUserToGroupByGroupId(client, { groupId: group.id, accountId: ALICE });
out.groups = (await getGroups(client, {})).results.map((g) => g.name);
out.members = (await getGroupMembersByGroupId(client, { groupId: group.id })).results.map((u) => u.accountId);
out.memberOf = (await getGroupMembershipsForUser(client, { accountId: ALICE })).results.map((g) => g.name);

// labels
await addLabelsToContent(client, { id: PAGE, body: [{ prefix: 'global', name: 'js-label' }] });
out.labelled = (await getAllLabelContent(client, { name: 'js-label' })).associatedContents.results.map(
  (c) => String(c.contentId));

// restrictions
out.replaced = named(await updateRestrictions(client, { id: PAGE, body: [
  { operation: 'read', restrictions: { user: [{ type: 'known', accountId: ALICE }],
    group: [{ type: 'group', id: group.id }] } },
] }));
out.added = named(await addRestrictions(client, { id: PAGE, body: {
  results: [{ operation: 'update', restrictions: { user: [{ type: 'known', accountId: ALICE }] } }] } }));
await addUserToContentRestriction(client, { id: PAGE, operationKey: 'update', accountId: BOB });
out.bobNamed = await status(() => getContentRestrictionStatusForUser(client, {
  id: PAGE, operationKey: 'update', accountId: BOB }));
await removeUserFromContentRestriction(client, { id: PAGE, operationKey: 'update', accountId: BOB });
out.bobAfterRemoval = await status(() => getContentRestrictionStatusForUser(client, {
  id: PAGE, operationKey: 'update', accountId: BOB }));
await addGroupToContentRestrictionByGroupId(client, { id: PAGE, operationKey: 'update', groupId: group.id });
out.groupNamed = await status(() => getIndividualGroupRestrictionStatusByGroupId(client, {
  id: PAGE, operationKey: 'update', groupId: group.id }));
await removeGroupFromContentRestriction(client, { id: PAGE, operationKey: 'update', groupId: group.id });
out.current = named(await getRestrictions(client, { id: PAGE }));
const byOperation = await getRestrictionsByOperation(client, { id: PAGE });
out.byOperation = Object.keys(byOperation).filter((k) => !k.startsWith('_')).sort();
out.forRead = (await getRestrictionsForOperation(client, { id: PAGE, operationKey: 'read' }))
  .restrictions.user.results.map((u) => u.accountId);

// the permission check: alice is named, bob is not
out.aliceRead = (await checkContentPermission(client, {
  id: PAGE, subject: { type: 'user', identifier: ALICE }, operation: 'read' })).hasPermission;
const bob = await checkContentPermission(client, {
  id: PAGE, subject: { type: 'user', identifier: BOB }, operation: 'read' });
out.bobRead = { hasPermission: bob.hasPermission, errors: bob.errors.map((e) => e.translation) };
out.cleared = named(await deleteRestrictions(client, { id: PAGE }));

// versions: restore version 1 as version 3, then delete version 2
const restored = await restoreContentVersion(client, {
  id: PAGE, operationKey: 'restore', params: { versionNumber: 1, message: 'back to one' } });
out.restored = restored.number;
out.deleted = await status(() => deleteContentVersion(client, { id: PAGE, versionNumber: 2 }));

console.log(JSON.stringify(out));
