// The genesis task catalog's titles in English, as the ledger stores them: labels.js taskTitle
// compares a task's title with them (a title the operator changed is shown as it is) without
// the English catalog, which a Chinese page fetches only when the switch picks it. en.js has
// the same lines (web/test/i18n.test.mjs checks they agree): importing them from here would
// make a shared chunk of its own, one more request on the first load.
export const GENESIS_TASK_TITLES = {
  'task.daily_checkin': "Daily check-in",
  'task.invite_friend': "Invite a friend (paid when they verify their identity)",
  'task.identity_verification': "Verify your identity",
  'task.face_verification': "Face verification",
  'task.sesame_credit': "Authorize Sesame Credit",
  'task.shopping': "Shop with a partner",
  'task.entertainment': "Watch or play with a partner",
  'task.education': "Complete a course",
  'task.finance': "Use a partner's financial service",
  'task.travel': "Travel with a partner",
  'task.browsing': "Read news with a partner",
  'task.social': "Take part in a partner community",
};
