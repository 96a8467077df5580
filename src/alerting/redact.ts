// Webhook URLs are credentials: whoever has one can post to the channel. Anything that may
// reach a log, an event, a status or an error message passes through here first. Errors from
// HTTP clients are the usual leak (fetch and axios put the URL in their messages).

const SLACK_HOOK = /https?:\/\/hooks\.slack(?:-gov)?\.com\/[^\s"'<>)]*/gi;
export const REDACTED = '[redacted]';

/** `text` with every occurrence of `secret` (and of its URL path) and any Slack hook URL replaced. */
export function redact(text: string, secret?: string): string {
  let out = text;
  if (secret) {
    out = out.split(secret).join(REDACTED);
    const path = pathOf(secret);
    // The path alone (/services/T…/B…/token) is the secret part; only redact a meaningful one.
    if (path && path.length > 8) out = out.split(path).join(REDACTED);
  }
  return out.replace(SLACK_HOOK, `https://hooks.slack.com/${REDACTED}`);
}

function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}
