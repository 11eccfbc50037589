// The shape of one locale's widget text. The text itself is in the message
// catalog, ../../i18n/locales/<lang>/widget.json (keys "widget.<name>") and
// common.json ("reason.*", "lang.*"), compiled into the bundle by build.mjs;
// i18n.ts turns each locale into a Messages. The Go tests fail when a locale
// lacks a key; the node tests fail when a key here is not in the catalog.

/** "27.11.2026, 03:40" in local time: the numeric style used in hy and az. */
export function dottedDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getDate())}.${p(d.getMonth() + 1)}.${d.getFullYear()}, ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Policy reasons a moderator can give when rejecting a comment. */
export type Reason = "hate_speech" | "obscenity" | "personal_attack" | "spam" | "off_topic" | "other";

/** Messages is one locale's user-interface text. */
export interface Messages {
  /** BCP 47 tag used for Intl formatting and the lang attribute. */
  lang: string;
  /** Text direction of the locale. */
  dir: "ltr" | "rtl";
  /**
   * Intl.DateTimeFormat options for comment times. Browsers ship less locale
   * data for some languages (Chromium renders az and hy month names from the
   * root locale, e.g. "2026 M11 27"), so such locales give a function that
   * formats the date itself.
   */
  date: Intl.DateTimeFormatOptions | ((d: Date) => string);
  /** "5 comments", with the locale's CLDR plural rules. */
  count: (n: number) => string;
  /** Language names in this locale: names.hy is "Armenian" in English. */
  names: Record<string, string>;
  heading: string;
  loading: string;
  loadError: string;
  retry: string;
  noComments: string;
  sortLabel: string;
  sortOldest: string;
  sortNewest: string;
  loadMore: string;
  reply: string;
  edit: string;
  cancel: string;
  save: string;
  permalink: string;
  badgeAuthor: string;
  badgeStaff: string;
  /** A signed-in commenter who proved their email address. */
  badgeVerified: string;
  edited: string;
  pendingNotice: string;
  editPendingNotice: string;
  rejectedNotice: string;
  reasonLabel: string;
  reasons: Record<Reason, string>;
  /** The default policy shown above the form when the site sets none: policyStart only under an empty thread, policyLogin only to readers who are not logged in, then policy. */
  policyStart: string;
  policyLogin: string;
  policy: string;
  /** The label of the reader's language menu. */
  languageLabel: string;
  /** "1 of yours awaiting moderation", next to the count. */
  ownPending: (n: number) => string;
  formHeading: string;
  replyHeading: string;
  editHeading: string;
  bodyLabel: string;
  bodyHint: string;
  nameLabel: string;
  emailLabel: string;
  honeypotLabel: string;
  write: string;
  preview: string;
  previewEmpty: string;
  send: string;
  sending: string;
  sent: string;
  saved: string;
  /** After a send that the site published at once (post-moderation for trusted authors). */
  published: string;
  duplicate: string;
  rateLimited: string;
  closed: string;
  sanctioned: string;
  network: string;
  genericError: string;
  emptyBody: string;
  nameRequired: string;
  emailRequired: string;
  editWindowOver: string;
  login: string;
  logout: string;
  signedInAs: string;
  loginHint: string;
  loginRequired: string;
  popupBlocked: string;
  /** The link-styled button under a published comment that opens the report form. */
  report: string;
  reportHeading: string;
  reportReason: string;
  /** The empty first option of the reason list. */
  reportPick: string;
  reportNote: string;
  reportNeedReason: string;
  /** Shown in place of the form after a report was accepted. */
  reportThanks: string;
  /** Shown when this reader already reported the comment (409). */
  reportAlready: string;
  reportError: string;
  reportNetwork: string;
}
