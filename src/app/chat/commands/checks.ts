import { localizeText, t } from '../../../domain/strings';
import { say, sayIn, type Turn } from '../core-context';
import type { ChatResponse } from '../ports';
import type { CommandHandler } from './types';

/** `health` and `probe`: a read-only check on a worker, its result posted to the channel later. */
async function queueCheck(
  server: string,
  request: { actionId: string; params: Record<string, unknown> },
  turn: Turn,
): Promise<ChatResponse> {
  const { deps, actor, channel, lang, answerLang } = turn;
  const access = await deps.access.mayRunRead(actor, server);
  if (!access.allowed) return sayIn(answerLang, access.reason);
  const queued = await deps.checks.run({ ...request, actor, replyTo: channel, lang });
  if (!queued.ok)
    return say(
      t(answerLang, 'chat.check.notRun', { reason: localizeText(answerLang, queued.reason) }),
    );
  const held = queued.held?.[answerLang] ?? queued.held?.en;
  return {
    private: {
      // A held check waits for its site's slot: say so, not "queued", so nobody waits for nothing.
      text: held
        ? t(answerLang, 'chat.check.held', { reason: held, job: queued.jobId })
        : t(answerLang, 'chat.check.queued', { site: queued.site, job: queued.jobId }),
      code: [{ body: queued.command }],
    },
  };
}

export const health: CommandHandler<'health'> = (cmd, turn) =>
  queueCheck(
    cmd.server,
    {
      actionId: 'get-server-health',
      params: { server: cmd.server, ...(cmd.healthSet ? { healthSet: cmd.healthSet } : {}) },
    },
    turn,
  );

export const probe: CommandHandler<'probe'> = (cmd, turn) =>
  queueCheck(
    cmd.server,
    {
      actionId: 'invoke-monitoring-probe',
      params: { server: cmd.server, healthSet: cmd.healthSet, probe: cmd.probe },
    },
    turn,
  );
