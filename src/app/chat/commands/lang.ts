import { t } from '../../../domain/strings';
import type { CommandHandler } from './types';

/** Sets the channel's language, and says so to everyone in it, in that language. */
export const lang: CommandHandler<'lang'> = async (cmd, { deps, channel }) => {
  await deps.prefs.setLang(channel, cmd.lang);
  return { public: { text: t(cmd.lang, 'chat.lang.set') } };
};
