import { z } from 'zod';
import { participantLabel, replyView } from '../views.ts';
import { MAX_TOPIC_LENGTH, one, room } from './grammar.ts';
import { ROOM_OPTION, roomField, type CommandSpec } from './spec.ts';

export interface TopicCommand { readonly name: 'topic'; readonly room: string; readonly who: string; readonly text: string | undefined }

/** Reading a topic is viewing; setting one changes the room. */
export const topicSpec: CommandSpec<TopicCommand> = {
  name: 'topic', usage: 'topic <room> <who> [text]', summary: 'show or set a participant\'s topic (quote text with spaces)', minArgs: 2, maxArgs: 2 + 20,
  grammar: z.tuple([room, one], z.string()).transform(([r, w, ...rest]) => ({
    name: 'topic' as const, room: r, who: w, text: rest.length === 0 ? undefined : rest.join(' '),
  })).refine((c) => c.text === undefined || c.text.length <= MAX_TOPIC_LENGTH, `a topic is at most ${MAX_TOPIC_LENGTH} characters`),
  options: [
    ROOM_OPTION,
    { name: 'who', description: 'user number, channel, caller number or name', type: 'string', required: true, autocomplete: 'participant' },
    { name: 'text', description: 'the new topic (leave out to read it)', type: 'string', required: false },
  ],
  leastRole: 'viewer', confirmation: 'never', roomMayBeInactive: false,
  role: (c) => (c.text === undefined ? 'viewer' : 'moderator'), scope: () => 'room', roomOf: roomField,
  visibility: () => 'channel', auditTarget: (c) => c.who,
  wordsFromOptions: (v) => [String(v.room ?? ''), String(v.who ?? ''), ...(typeof v.text === 'string' && v.text !== '' ? [v.text] : [])],
  async handle(c, ctx) {
    const target = ctx.room();
    const backend = ctx.ops.backend(target.pbx);
    if (c.text === undefined) {
      const { participant, topic } = await backend.getTopic(target.room, c.who);
      const label = participantLabel(participant);
      return { view: replyView(topic === undefined ? `${label} has no topic.` : `${label}: ${topic}`), target: label };
    }
    const participant = await backend.setTopic(target.room, c.who, c.text);
    const label = participantLabel(participant);
    ctx.ops.note(target, ctx.env.actor, `set the topic of ${label}`);
    return { view: replyView(`Topic of ${label} set to “${c.text}”.`, { tone: 'success' }), target: label };
  },
};
