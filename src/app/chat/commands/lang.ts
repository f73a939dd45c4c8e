import { t } from '../../../domain/strings';
import type { CommandHandler } from './types';

/**
 * Sets the channel's language, says so to everyone in it in that language, and redraws the open
 * incidents' cards, so they change language too (not only the next one).
 */
export const lang: CommandHandler<'lang'> = async (cmd, { deps, channel }) => {
  await deps.prefs.setLang(channel, cmd.lang);
  const redraw = deps.redraw;
  if (redraw || deps.redrawOutagesOf) {
    const open = await deps.incidents.listOpen();
    if (redraw) await Promise.all(open.map((incident) => redraw(incident.id)));
    // Members of an outage have no card of their own: the outage card is theirs.
    await deps.redrawOutagesOf?.(open);
  }
  return { public: { text: t(cmd.lang, 'chat.lang.set') } };
};
