import assert from 'node:assert/strict';
import type { SectionBlock } from '@slack/types';
import { bulletList, MAX_BLOCKS, MAX_HEADER_CHARS, MAX_SECTION_CHARS, slackMessage, truncate, type MessageInput } from '../../../src/alerting/slack-message.ts';

const firing: MessageInput = {
  state: 'FIRING',
  guard: 'payments/orders-worker',
  incident: 'runaway',
  severity: 'critical',
  title: 'Runaway suspected',
  evidence: ['capacity 4→19 (+375%) in 30m', 'receives/deletes 1.02→1.71'],
  actions: ['Froze asg/orders-worker-asg at MaxSize 19'],
  undo: 'kubectl annotate costguard orders-worker -n payments costguard.io/paused=true',
  mention: '<!subteam^S123>',
};

const sectionTexts = (m: ReturnType<typeof slackMessage>): string[] => m.blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text?.text ?? '');

describe('slackMessage', () => {
  it('FIRING: header, context with severity and guard, mention, evidence, actions, undo', () => {
    const m = slackMessage(firing);
    assert.deepEqual(m.blocks.map((b) => b.type), ['header', 'context', 'section', 'section', 'section', 'section']);
    assert.deepEqual(m.blocks[0], { type: 'header', text: { type: 'plain_text', text: 'FIRING: Runaway suspected', emoji: true } });
    assert.equal(m.text, '<!subteam^S123> FIRING: Runaway suspected (CostGuard payments/orders-worker)');
    const [mention, evidence, actions, undo] = sectionTexts(m);
    assert.equal(mention, '<!subteam^S123> :red_circle: Runaway suspected');
    assert.equal(evidence, '*Evidence*\n• capacity 4→19 (+375%) in 30m\n• receives/deletes 1.02→1.71');
    assert.equal(actions, '*What CostGuard did*\n• Froze asg/orders-worker-asg at MaxSize 19');
    assert.equal(undo, '*How to undo*\n```kubectl annotate costguard orders-worker -n payments costguard.io/paused=true```');
  });

  it('RESOLVED: no mention, the summary instead of evidence', () => {
    const m = slackMessage({ ...firing, state: 'RESOLVED', summary: 'Signals healthy for 15m.' });
    assert.deepEqual(m.blocks.map((b) => b.type), ['header', 'context', 'section']);
    assert.equal(m.text, 'RESOLVED: Runaway suspected (CostGuard payments/orders-worker)');
    assert.deepEqual(sectionTexts(m), [':white_check_mark: Signals healthy for 15m.']);
  });

  it('the context names the incident\'s start and the message id, so a resend (delivery is at least once) reads as a duplicate', () => {
    const context = (m: ReturnType<typeof slackMessage>): string => {
      const block = m.blocks[1];
      return block?.type === 'context' && block.elements[0]?.type === 'mrkdwn' ? block.elements[0].text : '';
    };
    const text = context(slackMessage({ ...firing, since: '2026-12-07T08:00:00Z', messageId: '17' }));
    assert.equal(text, '*critical* · CostGuard `payments/orders-worker` · incident `runaway` since 2026-12-07T08:00:00Z · message #17');
    assert.equal(context(slackMessage({ ...firing, since: '2026-12-07T08:00:00Z', messageId: '17' })), text, 'the same message renders the same id');
  });

  it('leaves out sections that have nothing to say', () => {
    const m = slackMessage({ state: 'FIRING', guard: 'a/b', incident: 'x', severity: 'info', title: 't' });
    assert.deepEqual(m.blocks.map((b) => b.type), ['header', 'context']);
  });

  it('stays within Slack\'s limits whatever the input, and says what it cut', () => {
    const huge = slackMessage({ ...firing, title: 'T'.repeat(500), evidence: Array.from({ length: 500 }, (_, i) => `fact ${i} ${'x'.repeat(50)}`), undo: 'k'.repeat(10_000), mention: 'm'.repeat(5000) });
    assert.ok(huge.blocks.length <= MAX_BLOCKS);
    const header = huge.blocks[0] as { text: { text: string } };
    assert.ok(header.text.text.length <= MAX_HEADER_CHARS);
    for (const text of sectionTexts(huge)) assert.ok(text.length <= MAX_SECTION_CHARS, `${text.length} characters`);
    const evidence = sectionTexts(huge).find((t) => t.startsWith('*Evidence*'))!;
    assert.match(evidence, /_… and \d+ more: see `kubectl describe costguard`_$/);
    assert.match(sectionTexts(huge).find((t) => t.startsWith('*How to undo*'))!, /truncated, 10000 characters/);
  });
});

describe('truncate and bulletList', () => {
  it('truncate keeps short text and cuts long text to the limit with a note', () => {
    assert.equal(truncate('short', 10), 'short');
    const cut = truncate('x'.repeat(100), 60);
    assert.equal(cut.length, 60);
    assert.match(cut, /… \(truncated, 100 characters\)$/);
  });

  it('bulletList counts the entries it leaves out', () => {
    const text = bulletList('E', ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)], 100);
    assert.ok(text.length <= 100, text);
    assert.match(text, /and 2 more/);
  });

  it('bulletList cuts a single entry that alone is too long', () => {
    const text = bulletList('E', ['a'.repeat(500)], 100);
    assert.equal(text.length, 100);
    assert.match(text, /truncated/);
  });
});
