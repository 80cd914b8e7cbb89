// What the pages say about identity verification, in Chinese and English. There is no
// i18n layer yet (issue 16 adds one): until then these strings live in one {zh, en}
// object, picked by the browser's language.

export const IDENTITY_MESSAGES = {
  en: {
    authorityLabel: 'Identity authority',
    senderLabel: 'Code sender',
    checksumOnly: 'checksum only — not for production',
    consoleSender: "the node's log — development only",
    notProduction: 'Real-name checks are not real on this node: anyone who knows a valid ID number can claim it.',
    noVerifier: 'This node holds no identity verifier.',
    sendCode: 'Send me a code',
    resendCode: 'Send a new code',
    codeLabel: 'Code from your phone',
    codeSent: (ending, minutes) => `A code was sent to the phone ending ${ending}; it is valid for ${minutes} minutes.`,
    codeHint: '6 digits, used once',
  },
  zh: {
    authorityLabel: '身份核验机构',
    senderLabel: '验证码发送',
    checksumOnly: '仅校验位 — 不可用于生产环境',
    consoleSender: '节点日志 — 仅限开发',
    notProduction: '本节点的实名核验不是真实核验：任何知道有效身份证号的人都可以冒用。',
    noVerifier: '本节点没有身份核验方。',
    sendCode: '发送验证码',
    resendCode: '重新发送验证码',
    codeLabel: '手机收到的验证码',
    codeSent: (ending, minutes) => `验证码已发送至尾号 ${ending} 的手机，${minutes} 分钟内有效。`,
    codeHint: '6 位数字，仅可使用一次',
  },
};

/** The messages in the browser's language (Chinese for zh-*, else English). */
export function identityMessages(language = globalThis.navigator?.language || 'en') {
  return String(language).toLowerCase().startsWith('zh') ? IDENTITY_MESSAGES.zh : IDENTITY_MESSAGES.en;
}

/** How the node's verifier checks names and sends codes, from /v1/status or
 * /v1/identity/verifier fields ({kind, text}); the node's own words for HTTP providers. */
export function describeAuthority(kind, text, m = identityMessages()) {
  if (!kind) return m.noVerifier;
  return kind === 'checksum' ? m.checksumOnly : text;
}

export function describeSender(kind, text, m = identityMessages()) {
  if (!kind) return m.noVerifier;
  return kind === 'console' ? m.consoleSender : text;
}
