// Pure: the Slack Block Kit message for one outbox entry. FIRING carries the title, severity,
// guard, evidence, what CostGuard did and how to undo it (the mention from the spec first, so
// the people it names are notified); RESOLVED carries the summary. Slack refuses a message
// with more than 50 blocks or a section text over 3,000 characters (invalid_blocks), so every
// text is cut to fit with a note saying so, and the block list is capped.
import type { ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { Severity } from './notifier.ts';

export const MAX_BLOCKS = 50;
export const MAX_SECTION_CHARS = 3000;
export const MAX_HEADER_CHARS = 150;
/** The fallback `text` shows in notifications; Slack truncates it past 40,000 characters. */
export const MAX_FALLBACK_CHARS = 3000;

export interface MessageInput {
  state: 'FIRING' | 'RESOLVED';
  /** "<namespace>/<name>" of the CostGuard. */
  guard: string;
  incident: string;
  severity: Severity;
  title: string;
  evidence?: readonly string[];
  actions?: readonly string[];
  undo?: string;
  /** RESOLVED only: what changed. */
  summary?: string;
  /** FIRING only: e.g. "<!subteam^S123>". */
  mention?: string;
  /** When the incident started firing (RFC 3339). */
  since?: string;
  /**
   * The outbox message's id. Delivery is at least once (a reply lost after Slack took the
   * message is retried), so a resend carries the same id and a reader can tell a duplicate.
   */
  messageId?: string;
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const SEVERITY_ICON: Record<Severity, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

/** Cuts `text` to `max` characters, ending with a note that says how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … (truncated, ${text.length} characters)`;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}

/** A bulleted list that fits one section: entries that do not fit are counted, not dropped silently. */
export function bulletList(heading: string, items: readonly string[], max = MAX_SECTION_CHARS): string {
  let text = `*${heading}*`;
  for (let i = 0; i < items.length; i++) {
    const line = `\n• ${items[i]}`;
    const rest = items.length - i;
    const note = `\n_… and ${rest} more: see \`kubectl describe costguard\`_`;
    if (text.length + line.length + (rest > 1 ? note.length : 0) > max) {
      // One long entry alone: cut it rather than show nothing.
      if (i === 0) return truncate(text + line, max);
      return text + note;
    }
    text += line;
  }
  return text;
}

function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, MAX_HEADER_CHARS), emoji: true } };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, MAX_SECTION_CHARS) } };
}

function context(m: MessageInput): ContextBlock {
  const since = m.since ? ` since ${m.since}` : '';
  const id = m.messageId ? ` · message #${m.messageId}` : '';
  const text = `*${m.severity}* · CostGuard \`${m.guard}\` · incident \`${m.incident}\`${since}${id}`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, MAX_SECTION_CHARS) }] };
}

function firingBlocks(m: MessageInput): KnownBlock[] {
  const blocks: KnownBlock[] = [header(`FIRING: ${m.title}`), context(m)];
  if (m.mention) blocks.push(section(`${m.mention} ${SEVERITY_ICON[m.severity]} ${m.title}`));
  if (m.evidence?.length) blocks.push(section(bulletList('Evidence', m.evidence)));
  if (m.actions?.length) blocks.push(section(bulletList('What CostGuard did', m.actions)));
  if (m.undo) blocks.push(section(`*How to undo*\n\`\`\`${truncate(m.undo, MAX_SECTION_CHARS - 40)}\`\`\``));
  return blocks;
}

function resolvedBlocks(m: MessageInput): KnownBlock[] {
  const blocks: KnownBlock[] = [header(`RESOLVED: ${m.title}`), context(m)];
  if (m.summary) blocks.push(section(`:white_check_mark: ${m.summary}`));
  return blocks;
}

/** The message Slack receives. Never longer than Slack's limits, whatever the input. */
export function slackMessage(m: MessageInput): SlackMessage {
  const blocks = m.state === 'FIRING' ? firingBlocks(m) : resolvedBlocks(m);
  const lead = m.state === 'FIRING' && m.mention ? `${m.mention} ` : '';
  const text = truncate(`${lead}${m.state}: ${m.title} (CostGuard ${m.guard})`, MAX_FALLBACK_CHARS);
  return { text, blocks: blocks.slice(0, MAX_BLOCKS) };
}
