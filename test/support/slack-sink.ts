// The Slack sink lives with the local environment (make demo uses it too); tests import it here.
export { Answers, SlackSink, type ScriptedAnswer, type SinkRequest, type SlackPayload } from '../../hack/localenv/slack-sink.ts';
