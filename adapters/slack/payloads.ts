import { z } from 'zod';

/**
 * The parts of Slack's payloads the adapter reads, checked with zod: a payload is signed by Slack
 * but its shape still varies (ephemeral messages carry no `message`, modals no `channel`), and a
 * shape we do not expect must become a clear answer, never a TypeError.
 */

const id = z.string().regex(/^[A-Z0-9]{2,40}$/);

export const commandSchema = z.object({
  command: z.string().max(100),
  text: z.string().max(4000).default(''),
  user_id: id,
  user_name: z.string().max(200).optional(),
  channel_id: id,
  response_url: z.string().url().optional(),
});

const userSchema = z.object({
  id,
  name: z.string().max(200).optional(),
  username: z.string().max(200).optional(),
});

export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: userSchema,
  trigger_id: z.string().max(200).optional(),
  response_url: z.string().url().optional(),
  channel: z.object({ id }).optional(),
  container: z
    .object({
      channel_id: id.optional(),
      message_ts: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .optional(),
  message: z.object({ ts: z.string().max(40) }).optional(),
  actions: z
    .array(
      z.object({
        type: z.string(),
        action_id: z.string().max(255),
        value: z.string().max(2000).optional(),
      }),
    )
    .min(1),
});

/** What the reason dialog carries from the click to its submission (`private_metadata`). */
export const reasonMetadataSchema = z.object({
  value: z.string().max(2000),
  channel: id,
  messageTs: z.string().max(40).optional(),
  confirmed: z.boolean(),
  optional: z.boolean(),
});
export type ReasonMetadata = z.infer<typeof reasonMetadataSchema>;

export const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: userSchema,
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().max(3000),
    state: z.object({
      values: z.record(
        z.string(),
        z.record(z.string(), z.object({ value: z.string().nullable().optional() })),
      ),
    }),
  }),
});

export const appMentionSchema = z.object({
  type: z.literal('app_mention'),
  user: id,
  channel: id,
  text: z.string().max(40_000),
  ts: z.string().max(40),
  thread_ts: z.string().max(40).optional(),
});

export function displayName(user: { name?: string | undefined; username?: string | undefined }) {
  return user.name ?? user.username;
}
