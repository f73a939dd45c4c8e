import { t } from '../../../domain/strings';
import type { CommandHandler } from './types';

/** The workers online, and the sites without one. */
export const workers: CommandHandler<'workers'> = async (_cmd, { deps, answerLang }) => {
  const online = await deps.workers.online();
  const covered = new Set(online.flatMap((w) => w.sites));
  const lines = online.map((w) =>
    t(answerLang, 'chat.workers.line', {
      worker: w.workerId,
      host: w.host,
      sites: w.sites.join(', '),
      lastBeat: w.lastBeat,
    }),
  );
  const missing = deps.workers.knownSites().filter((s) => !covered.has(s));
  for (const site of missing) lines.push(t(answerLang, 'chat.workers.siteMissing', { site }));
  if (lines.length === 0) lines.push(t(answerLang, 'chat.workers.none'));
  return {
    private: { text: t(answerLang, 'chat.workers.title'), code: [{ body: lines.join('\n') }] },
  };
};
