/** Slack mrkdwn treats &, < and > as control characters: anything user-supplied is escaped first. */
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Block Kit text limits: section text 3000, plain_text titles 24, button text 75, option text 75. */
export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const STATUS_ICON: Record<string, string> = { connected: ':large_green_circle:', error: ':red_circle:', pending: ':large_yellow_circle:' };
