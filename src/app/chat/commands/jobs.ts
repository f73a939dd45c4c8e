import { localizeText, lookup, t } from '../../../domain/strings';
import { say } from '../core-context';
import type { CommandHandler } from './types';

/** Running and recent jobs, one line each. */
export const jobs: CommandHandler<'jobs'> = async (_cmd, { deps, answerLang }) => {
  const recent = await deps.jobs.recent(20);
  if (recent.length === 0) return say(t(answerLang, 'chat.jobs.none'));
  const lines = recent.map((j) => {
    const line = t(answerLang, 'chat.jobs.line', {
      state: (lookup(answerLang, `job.state.${j.state}`) ?? j.state).padEnd(9),
      action: j.actionId,
      server: j.server ?? '',
      site: j.site,
      incident: j.incidentId ?? '',
      who: j.requestedBy,
      at: j.at,
    });
    return j.summary
      ? t(answerLang, 'chat.jobs.lineSummary', {
          line,
          summary: localizeText(answerLang, j.summary),
        })
      : line;
  });
  return {
    private: { text: t(answerLang, 'chat.jobs.title'), code: [{ body: lines.join('\n') }] },
  };
};
