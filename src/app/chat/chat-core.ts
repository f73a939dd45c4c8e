import { decodeActionRef } from '../../domain/cards/action-ref';
import type { Card } from '../../domain/cards/card';
import { buildIncidentCard } from '../../domain/cards/incident-card';
import { parseCommand } from '../../domain/chat/commands';
import type { Incident } from '../../domain/incidents/incident';
import { DEFAULT_LANG, type Lang } from '../../domain/runbooks/text';
import { localizeText, t } from '../../domain/strings';
import { decodeOutageActionRef } from '../../domain/outages/outage-action-ref';
import { runCardOp } from './card-ops';
import { runOutageOp } from './card-ops/outage-ops';
import { helpText, runCommand } from './commands';
import { errorText, say, type ChatCoreDeps, type Turn } from './core-context';
import type { ChatCore, ChatResponse } from './ports';

export type { ChatCoreDeps } from './core-context';
export { helpText } from './commands';

/**
 * The platform-neutral conversation: what every command and button does. Adapters call it with
 * an `Actor` and the button's opaque value; everything is re-checked here (a value coming back
 * from chat is input), and refusals are private answers, never exceptions. Each sub-command has
 * its handler in commands/, each card operation in card-ops/; this file parses and dispatches.
 */
export function createChatCore(deps: ChatCoreDeps): ChatCore & {
  incidentCard(incident: Incident, lang: Lang): Promise<Card>;
} {
  const clock = deps.clock ?? (() => new Date());

  async function incidentCard(incident: Incident, lang: Lang): Promise<Card> {
    const [run, requests] = await Promise.all([
      deps.remediation.getRun(incident.id),
      deps.approvals.listForIncident(incident.id, 20),
    ]);
    return buildIncidentCard({
      incident,
      catalog: deps.catalog,
      run,
      requests,
      lang,
      now: clock(),
      roles: incident.server ? (deps.rolesOf?.(incident.server.name) ?? null) : null,
    });
  }

  const command: ChatCore['command'] = async (input) => {
    const lang = await deps.prefs.langOf(input.channel);
    const parsed = parseCommand(input.text);
    if (!parsed.ok) {
      const usage = parsed.usage ? t(lang, 'chat.usage', { usage: parsed.usage }) : helpText(lang);
      // The parser says what is wrong in English; the answer is in the channel's language.
      const error = lang === 'en' ? capitalize(parsed.error) : localizeText(lang, parsed.error);
      return say(`${t(lang, 'said.parse.sentence', { error })}\n${usage}`);
    }
    const turn: Turn = {
      deps,
      actor: input.actor,
      channel: input.channel,
      lang,
      answerLang: lang,
      incidentCard,
    };
    try {
      return await runCommand(parsed.command.name, parsed.command, turn);
    } catch (err) {
      // A store or queue outage: say so plainly, never a stack trace.
      return say(t(lang, 'chat.error.tryAgain', { error: errorText(err) }));
    }
  };

  const action: ChatCore['action'] = async (input): Promise<ChatResponse> => {
    const ref = decodeActionRef(input.value);
    // Answers are in the channel's language (`/exchange lang`).
    const channelLang = await deps.prefs.langOf(input.channel).catch(() => DEFAULT_LANG);
    if (!ref) {
      // An outage card's button has its own reference (outage-action-ref.ts).
      const outageRef = decodeOutageActionRef(input.value);
      if (!outageRef) return say(t(channelLang, 'chat.button.invalid'));
      try {
        const lang = outageRef.lang ?? channelLang;
        return await runOutageOp(
          outageRef,
          {
            deps,
            actor: input.actor,
            channel: input.channel,
            lang,
            answerLang: channelLang,
            incidentCard,
          },
          input.input?.reason,
        );
      } catch (err) {
        return say(t(channelLang, 'chat.error.nothingChanged', { error: errorText(err) }));
      }
    }
    try {
      // The card's language, else the channel's (a language button names the one it switches to).
      const lang = ref.lang && ref.op !== 'switch-lang' ? ref.lang : channelLang;
      const turn: Turn = {
        deps,
        actor: input.actor,
        channel: input.channel,
        lang,
        answerLang: channelLang,
        incidentCard,
      };
      return await runCardOp(ref, input.input ?? {}, turn);
    } catch (err) {
      return say(t(channelLang, 'chat.error.nothingChanged', { error: errorText(err) }));
    }
  };

  const langOf: NonNullable<ChatCore['langOf']> = (channel) =>
    deps.prefs.langOf(channel).catch(() => DEFAULT_LANG);

  return { command, action, incidentCard, langOf };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
