import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EVENTS_PATH, SLACK_BOT_EVENTS, SLACK_SCOPES } from './index';

interface Manifest {
  features: { slash_commands: { command: string; url?: string; usage_hint: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const read = (file: string): Manifest =>
  parse(readFileSync(join(__dirname, '../../manifest/slack', file), 'utf8')) as Manifest;

describe('Slack app manifests', () => {
  const http = read('manifest.yaml');
  const socket = read('manifest.socket-mode.yaml');

  it('ask for exactly the scopes the code uses, and the events it listens to', () => {
    for (const m of [http, socket]) {
      expect([...m.oauth_config.scopes.bot].sort()).toEqual(Object.keys(SLACK_SCOPES).sort());
      expect(m.settings.event_subscriptions.bot_events).toEqual([...SLACK_BOT_EVENTS]);
      expect(m.features.slash_commands.map((c) => c.command)).toEqual(['/exchange']);
      expect(m.features.slash_commands[0]?.usage_hint).toContain('health <server>');
      expect(m.settings.interactivity.is_enabled).toBe(true);
    }
  });

  it('point every HTTP-mode request URL at /slack/events; Socket Mode has none', () => {
    const urls = [
      http.features.slash_commands[0]?.url,
      http.settings.event_subscriptions.request_url,
      http.settings.interactivity.request_url,
    ];
    expect(urls).toEqual(Array(3).fill(`https://chatops.example.com${EVENTS_PATH}`));
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toContain('example.com');
  });
});
