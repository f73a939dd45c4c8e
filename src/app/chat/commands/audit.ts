import { formatAuditView, parseAuditSubject } from '../../../domain/audit/format-audit-view';
import type { CommandHandler } from './types';

/** The latest audit entries of a server, an incident or everything. */
export const audit: CommandHandler<'audit'> = async (cmd, { deps, answerLang }) => {
  const subject = parseAuditSubject(cmd.subject);
  // Card redraws would push the decisions out of view: show what people and jobs did.
  const entries = (await deps.audit.latest(subject, 100))
    .filter((e) => e.action !== 'card.updated')
    .slice(0, 15);
  const view = formatAuditView(entries, subject, { lang: answerLang });
  return { private: { text: view.title, code: [{ body: view.lines.join('\n') }] } };
};
