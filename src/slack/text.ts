/** Slack mrkdwn treats &, < and > as control characters: anything user-supplied is escaped first. */
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Slack sends slash-command and message text HTML-escaped (`R&D` arrives as `R&amp;D`): undo exactly
 * those three escapes, so what the person typed is what the engine sees.
 */
export const unesc = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Someone, in mrkdwn: a Slack user as a mention, anyone else by name (escaped). On the invite pages
 * ('web') the actor is the invitee the link was sent to, so a Slack user id there is that Slack user.
 */
export const mention = (id: string, via: string | undefined, name?: string) => (via === 'slack' || ((!via || via === 'web') && /^[UW][A-Z0-9_]{2,}$/.test(id)) ? `<@${id}>` : esc(name ?? id));

/** Block Kit text limits: section text 3000, plain_text titles 24, button text 75, option text 75. */
export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const STATUS_ICON: Record<string, string> = { connected: ':large_green_circle:', error: ':red_circle:', pending: ':large_yellow_circle:' };
