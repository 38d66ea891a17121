import { matchInbound, unmatchedReason } from '../../domain/pipeline/inbound';

/** An unmatched reply says why in words ops can act on (it said "no In-Reply-To" of every one). */
test('an unmatched reply names the mail it answers: a campaign mail to no prospect, a mail no customer receives, or nothing of ours', () => {
  const campaign = { inReplyTo: '<campaign-web-c6.w1_web.example-95797063@salesflow.invalid>', references: [] };
  expect(matchInbound({ ...campaign, replyTags: [] })).toBeUndefined();
  expect(unmatchedReason(campaign)).toBe(
    'it answers <campaign-web-c6.w1_web.example-95797063@salesflow.invalid>, a mail of campaign web-c6 to someone who is no prospect (the campaign makes no leads): there is no prospect to log it on',
  );
  expect(unmatchedReason({ references: ['<other@x.test>', '<prospect-acme.task-T1-overdue@salesflow.invalid>'] })).toBe(
    "it answers <prospect-acme.task-T1-overdue@salesflow.invalid>, a mail of ours that no customer receives (a rep's or manager's): there is no prospect to log it on",
  );
  expect(unmatchedReason({ inReplyTo: '<a@x.test>', references: ['<b@x.test>'] })).toBe('its In-Reply-To and References (<a@x.test> <b@x.test>) name no mail of ours, and no recipient is a reply address of ours');
  expect(unmatchedReason({ references: [] })).toBe('no In-Reply-To, References or reply address of ours');
});
