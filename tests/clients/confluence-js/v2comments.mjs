// confluence.js (npm, unchanged) drives bondline's Confluence v2 API (/wiki/api/v2) through its v2
// functions for comments, attachments and likes: footer and inline comments (create, reply, read,
// update, resolve, list, versions, delete), a page's attachments (list, get, versions, delete) and
// likes (count, users). Input: HOST, EMAIL, TOKEN, the PAGE id and the id of an ATTACHMENT on it
// (uploaded through v1, as on Cloud). Output: one JSON object with what each call returned.
import { createClient } from 'confluence.js/core';
import {
  createFooterComment, createInlineComment, deleteAttachment, deleteFooterComment, deleteInlineComment,
  getAttachmentById, getAttachments, getAttachmentVersionDetails, getAttachmentVersions, getFooterCommentById,
  getFooterCommentChildren, getFooterComments, getFooterCommentVersionDetails, getFooterCommentVersions,
  getFooterLikeCount, getInlineCommentById, getInlineCommentChildren, getInlineComments, getPageAttachments,
  getPageFooterComments, getPageInlineComments, getPageLikeCount, getPageLikeUsers, updateFooterComment,
  updateInlineComment,
} from 'confluence.js/v2';

const { HOST, EMAIL, TOKEN, PAGE, ATTACHMENT } = process.env;
const client = createClient({ host: HOST, auth: { type: 'basic', email: EMAIL, apiToken: TOKEN } });
const storage = (value) => ({ representation: 'storage', value });
const out = {};

// Footer comments: one on the page, a reply to it, an edit, the thread, the versions.
const footer = await createFooterComment(client, { pageId: PAGE, body: storage('<p>f1</p>') });
const reply = await createFooterComment(client, { parentCommentId: footer.id, body: storage('<p>r1</p>') });
out.footer = { pageId: footer.pageId, version: footer.version?.number, replyParent: reply.parentCommentId,
  replyPage: reply.pageId };
const edited = await updateFooterComment(client, {
  commentId: footer.id, body: { version: { number: 2, message: 'edit' }, body: storage('<p>f2</p>') },
});
out.edited = { version: edited.version?.number, body: edited.body?.storage?.value };
const read = await getFooterCommentById(client, { commentId: footer.id, bodyFormat: 'storage' });
out.read = { body: read.body?.storage?.value, title: read.title };
out.children = (await getFooterCommentChildren(client, { id: footer.id })).results.map((c) => c.id);
out.pageFooter = (await getPageFooterComments(client, { id: PAGE, bodyFormat: 'storage' })).results
  .map((c) => c.body?.storage?.value);
out.allFooter = (await getFooterComments(client, {})).results.map((c) => c.id);
out.versions = (await getFooterCommentVersions(client, { id: footer.id })).results.map((v) => v.number);
const detail = await getFooterCommentVersionDetails(client, { id: footer.id, versionNumber: 1 });
out.versionDetail = { number: detail.number, next: detail.nextVersion };
out.footerLikes = (await getFooterLikeCount(client, { id: footer.id })).count;

// Inline comments: one on a selection, resolved, a reply.
const inline = await createInlineComment(client, {
  pageId: PAGE, body: storage('<p>i1</p>'),
  inlineCommentProperties: { textSelection: 'JS', textSelectionMatchCount: 1, textSelectionMatchIndex: 0 },
});
out.inline = { status: inline.resolutionStatus, selection: inline.properties?.inlineOriginalSelection };
const resolved = await updateInlineComment(client, { commentId: inline.id, version: { number: 2 }, resolved: true });
out.resolved = resolved.resolutionStatus;
const inlineReply = await createInlineComment(client, { parentCommentId: inline.id, body: storage('<p>ir</p>') });
out.inlineChildren = (await getInlineCommentChildren(client, { id: inline.id })).results.map((c) => c.id);
out.inlineRead = (await getInlineCommentById(client, { commentId: inline.id })).resolutionStatus;
out.pageResolved = (await getPageInlineComments(client, { id: PAGE, resolutionStatus: ['resolved'] })).results
  .map((c) => c.id);
out.allInline = (await getInlineComments(client, {})).results.map((c) => c.id).sort();

// Likes (the test likes the page through v1's relation API first).
out.pageLikes = (await getPageLikeCount(client, { id: PAGE })).count;
out.pageLikers = (await getPageLikeUsers(client, { id: PAGE })).results.map((u) => u.accountId);

// Attachments.
const attachment = await getAttachmentById(client, { id: ATTACHMENT });
out.attachment = { title: attachment.title, pageId: attachment.pageId, size: attachment.fileSize,
  version: attachment.version?.number, download: attachment.downloadLink };
out.pageAttachments = (await getPageAttachments(client, { id: PAGE })).results.map((a) => a.id);
out.attachments = (await getAttachments(client, { filename: attachment.title })).results.map((a) => a.id);
out.attachmentVersions = (await getAttachmentVersions(client, { id: ATTACHMENT })).results.map((v) => v.number);
out.attachmentVersion = (await getAttachmentVersionDetails(client, { attachmentId: ATTACHMENT, versionNumber: 1 }))
  .number;

await deleteAttachment(client, { id: ATTACHMENT });
out.afterAttachmentDelete = (await getPageAttachments(client, { id: PAGE })).results.map((a) => a.id);
await deleteInlineComment(client, { commentId: inlineReply.id });
await deleteFooterComment(client, { commentId: footer.id });
out.afterDelete = (await getPageFooterComments(client, { id: PAGE })).results.map((c) => c.id);
out.ids = { footer: footer.id, reply: reply.id, inline: inline.id, inlineReply: inlineReply.id };
console.log(JSON.stringify(out));
