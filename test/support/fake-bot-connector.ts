import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot Connector service Teams runs (the activity's `serviceUrl`). It
 * records every call the bot makes, answers like the real one with ids, and can be told to fail
 * the next calls (429 with Retry-After, 500) to test throttling and retries.
 */
export interface ConnectorCall {
  method: string;
  path: string;
  /** Decoded conversation id from the path, when there is one. */
  conversationId?: string | undefined;
  activityId?: string | undefined;
  kind:
    | 'createConversation'
    | 'sendToConversation'
    | 'replyToActivity'
    | 'updateActivity'
    | 'getMember'
    | 'getTeamChannels'
    | 'other';
  authorization: string | undefined;
  // The payloads are whatever the bot sent; tests read them as they need.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded JSON, asserted field by field
  body: any;
  /** What the fake answered (after an injected failure: that status). */
  status: number;
}

export interface Member {
  id: string;
  name?: string;
  aadObjectId?: string;
  userPrincipalName?: string;
}

export interface FakeBotConnector {
  url: string;
  calls: ConnectorCall[];
  /** The next `count` calls (matching `kind` when given) fail with this status and headers. */
  failNext(
    count: number,
    status: number,
    headers?: Record<string, string>,
    kind?: ConnectorCall['kind'],
  ): void;
  /** Members that GET .../members/:id finds; others answer 404. */
  members: Map<string, Member>;
  /** Channels that GET /v3/teams/:id/conversations lists. */
  teamChannels: Map<string, { id: string; name?: string }[]>;
  /** 1:1 conversations can be refused (403) to test the in-thread fallback. */
  refuseOneOnOne: boolean;
  clear(): void;
  close(): Promise<void>;
}

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const failures: { status: number; headers: Record<string, string>; kind?: string }[] = [];
  const members = new Map<string, Member>();
  const teamChannels = new Map<string, { id: string; name?: string }[]>();
  let seq = 1000;
  const nextId = () => `1700000000${++seq}`;
  const state = { refuseOneOnOne: false };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    // Whatever the bot sent; read field by field below and in the tests.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded JSON
    const body: any = text ? safeJson(text) : undefined;
    const path = (req.url ?? '').split('?')[0] ?? '';
    const method = req.method ?? 'GET';
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const call: ConnectorCall = {
      method,
      path,
      kind: 'other',
      authorization: req.headers.authorization,
      body,
      status: 200,
    };
    // /v3/conversations[/:id[/activities[/:activityId]|/members/:memberId]]
    if (parts[0] === 'v3' && parts[1] === 'conversations') {
      call.conversationId = parts[2];
      call.activityId = parts[4];
      if (parts.length === 2 && method === 'POST') call.kind = 'createConversation';
      else if (parts[3] === 'activities' && parts.length === 4 && method === 'POST')
        call.kind = 'sendToConversation';
      else if (parts[3] === 'activities' && parts.length === 5 && method === 'POST')
        call.kind = 'replyToActivity';
      else if (parts[3] === 'activities' && parts.length === 5 && method === 'PUT')
        call.kind = 'updateActivity';
      else if (parts[3] === 'members' && parts.length === 5 && method === 'GET') {
        call.kind = 'getMember';
        call.activityId = undefined;
      }
    } else if (parts[0] === 'v3' && parts[1] === 'teams' && parts[3] === 'conversations') {
      call.kind = 'getTeamChannels';
      call.conversationId = parts[2];
    }
    calls.push(call);

    const failIndex = failures.findIndex((f) => f.kind === undefined || f.kind === call.kind);
    if (failIndex !== -1) {
      const [f] = failures.splice(failIndex, 1);
      if (f) {
        call.status = f.status;
        return send(
          res,
          f.status,
          { error: { code: 'Injected', message: `injected ${f.status}` } },
          f.headers,
        );
      }
    }

    switch (call.kind) {
      case 'createConversation': {
        const channel = body?.channelData?.channel?.id as string | undefined;
        if (!channel && state.refuseOneOnOne) {
          call.status = 403;
          return send(res, 403, { error: { code: 'BotNotInConversationRoster', message: 'no' } });
        }
        const activityId = body?.activity ? nextId() : undefined;
        const id = channel
          ? `${channel};messageid=${activityId ?? nextId()}`
          : `a:1on1-${nextId()}`;
        call.status = 201;
        return send(res, 201, { id, activityId, serviceUrl: url });
      }
      case 'sendToConversation':
      case 'replyToActivity':
        call.status = 201;
        return send(res, 201, { id: nextId() });
      case 'updateActivity':
        return send(res, 200, { id: call.activityId });
      case 'getMember': {
        const member = members.get(parts[4] ?? '');
        if (!member) {
          call.status = 404;
          return send(res, 404, { error: { code: 'MemberNotFoundInConversation', message: 'no' } });
        }
        return send(res, 200, member);
      }
      case 'getTeamChannels':
        return send(res, 200, { conversations: teamChannels.get(call.conversationId ?? '') ?? [] });
      default:
        call.status = 404;
        return send(res, 404, { error: { code: 'NotFound', message: `${method} ${path}` } });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    members,
    teamChannels,
    get refuseOneOnOne() {
      return state.refuseOneOnOne;
    },
    set refuseOneOnOne(v: boolean) {
      state.refuseOneOnOne = v;
    },
    failNext(count, status, headers = {}, kind) {
      for (let i = 0; i < count; i++) failures.push({ status, headers, kind });
    },
    clear() {
      calls.length = 0;
      failures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
