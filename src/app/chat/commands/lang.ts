import { t } from '../../../domain/strings';
import type { CommandHandler } from './types';

/**
 * Sets the channel's language, says so to everyone in it in that language, and redraws the open
 * incidents' cards, so they change language too (not only the next one).
 */
export const lang: CommandHandler<'lang'> = async (cmd, { deps, channel }) => {
  await deps.prefs.setLang(channel, cmd.lang);
  const redraw = deps.redraw;
  if (redraw) {
    const open = await deps.incidents.listOpen();
    await Promise.all(open.map((incident) => redraw(incident.id)));
  }
  return { public: { text: t(cmd.lang, 'chat.lang.set') } };
};
