import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Slack Web API (and for response_url endpoints), so the real Bolt and
 * WebClient code paths run in tests without reaching Slack. Records every call with its parsed
 * payload; can be told to fail the next calls with a 429 (Retry-After), a 500 or a Slack error.
 */
export interface RecordedCall {
  /** Web API method (`chat.postMessage`) or `response_url` for the response URL endpoint. */
  method: string;
  /** Form fields, with JSON-looking values (blocks, view) parsed. */
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** Set for response_url calls: the id in /response/<id>. */
  responseId?: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** The HTTP status answered (429 when rate limited). */
  status?: number;
  /** The `ts` a `chat.postMessage` was answered with. */
  ts?: string;
}

export type Failure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

export interface FakeSlackApi {
  /** Base URL for SLACK_API_URL (ends in /api/). */
  apiUrl: string;
  /** A response_url that records what is posted to it. */
  responseUrl(id: string): string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Resolves when `count` calls to `method` were recorded (rejects after `timeoutMs`). */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<RecordedCall[]>;
  /** The next `times` Web API calls (any method, or `method` only) fail this way. */
  failNext(failure: Failure, times?: number, method?: string): void;
  /**
   * Enforce Slack's published limits from now on, answering 429 with Retry-After when exceeded:
   * `chat.postMessage` about 1 per second per channel with short bursts (here a bucket of
   * `postBurst`, refilled 1 per second), `chat.update` Tier 3 (`updatesPerMinute` in any 60 s).
   */
  enforceLimits(opts?: { postBurst?: number; updatesPerMinute?: number }): void;
  /** Calls answered 429. */
  limited(): RecordedCall[];
  /** Answers for usergroups.list (include_users). */
  userGroups: { id: string; handle: string; users: string[] }[];
  /** Answers for users.info by user id: the profile email, and whether Slack confirmed it. */
  users: Record<
    string,
    { email?: string; isEmailConfirmed?: boolean; deleted?: boolean; isBot?: boolean }
  >;
  /** Number of usergroups.list calls served (cache tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const failures: { failure: Failure; method?: string | undefined }[] = [];
  const waiters: (() => void)[] = [];
  let tsCounter = 100;
  const api: Partial<FakeSlackApi> = { userGroups: [], users: {} };

  const answer = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const response = /^\/response\/([\w-]+)$/.exec(url.pathname);
    if (response) {
      calls.push({
        method: 'response_url',
        body: JSON.parse(raw || '{}'),
        headers: req.headers,
        responseId: response[1],
        at: Date.now(),
      });
      notify();
      return answer(res, 200, { ok: true });
    }
    const m = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!m?.[1]) return answer(res, 404, { ok: false, error: 'unknown_method' });
    const method = m[1];
    const body = parseBody(req.headers['content-type'], raw);
    const i = failures.findIndex((f) => f.method === undefined || f.method === method);
    const failure =
      (i >= 0 ? failures.splice(i, 1)[0]?.failure : undefined) ?? overLimit(method, body);
    const recorded: RecordedCall = { method, body, headers: req.headers, at: Date.now() };
    calls.push(recorded);
    notify();
    if (failure) {
      recorded.status = 'status' in failure ? failure.status : 200;
      if ('error' in failure) return answer(res, 200, { ok: false, error: failure.error });
      if (failure.status === 429) {
        return answer(
          res,
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(failure.retryAfter) },
        );
      }
      return answer(res, 500, { ok: false, error: 'internal_error' });
    }
    const ts = () => `1700000000.${String(tsCounter++).padStart(6, '0')}`;
    switch (method) {
      case 'auth.test':
        return answer(res, 200, {
          ok: true,
          user_id: 'UBOT',
          bot_id: 'BBOT',
          team_id: 'T0TEST',
          team: 'Test',
          user: 'exchops',
        });
      case 'chat.postMessage':
        recorded.ts = ts();
        return answer(res, 200, { ok: true, channel: body.channel, ts: recorded.ts });
      case 'chat.update':
        return answer(res, 200, { ok: true, channel: body.channel, ts: body.ts });
      case 'chat.postEphemeral':
        return answer(res, 200, { ok: true, message_ts: ts() });
      case 'apps.connections.open':
        // No WebSocket here: Socket Mode tests see the attempt and a refusal.
        return answer(res, 200, { ok: false, error: 'invalid_auth' });
      case 'views.open':
        return answer(res, 200, { ok: true, view: { id: 'V0TEST' } });
      case 'usergroups.list':
        return answer(res, 200, {
          ok: true,
          usergroups: (api.userGroups ?? []).map((g) => ({
            ...g,
            users: body.include_users ? g.users : undefined,
          })),
        });
      case 'users.info': {
        const u = (api.users ?? {})[String(body.user)];
        if (!u) return answer(res, 200, { ok: false, error: 'user_not_found' });
        return answer(res, 200, {
          ok: true,
          user: {
            id: body.user,
            deleted: u.deleted ?? false,
            is_bot: u.isBot ?? false,
            is_email_confirmed: u.isEmailConfirmed ?? true,
            profile: u.email ? { email: u.email } : {},
          },
        });
      }
      case 'usergroups.users.list': {
        const g = (api.userGroups ?? []).find((x) => x.id === body.usergroup);
        return answer(
          res,
          200,
          g ? { ok: true, users: g.users } : { ok: false, error: 'no_such_subteam' },
        );
      }
      default:
        return answer(res, 200, { ok: false, error: 'unknown_method' });
    }
  };

  let limits: { postBurst: number; updatesPerMinute: number } | null = null;
  /** Per channel: when its bucket is full again (GCRA's theoretical arrival time). */
  const postTat = new Map<string, number>();
  const updates: number[] = [];
  const overLimit = (method: string, body: Record<string, unknown>): Failure | undefined => {
    if (!limits) return undefined;
    const now = Date.now();
    if (method === 'chat.postMessage') {
      const channel = String(body.channel);
      const tat = Math.max(postTat.get(channel) ?? now, now) + 1000;
      const allowAt = tat - 1000 * limits.postBurst;
      if (allowAt > now) return { status: 429, retryAfter: Math.ceil((allowAt - now) / 1000) };
      postTat.set(channel, tat);
    }
    if (method === 'chat.update') {
      while (updates.length && updates[0]! <= now - 60_000) updates.shift();
      if (updates.length >= limits.updatesPerMinute) {
        return { status: 429, retryAfter: Math.ceil((updates[0]! + 60_000 - now) / 1000) };
      }
      updates.push(now);
    }
    return undefined;
  };

  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      try {
        handle(req, res, raw);
      } catch (err) {
        answer(res, 400, { ok: false, error: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const callsTo = (method: string) => calls.filter((c) => c.method === method);
  return Object.assign(api, {
    apiUrl: `${base}/api/`,
    responseUrl: (id: string) => `${base}/response/${id}`,
    calls,
    callsTo,
    waitFor(method: string, count = 1, timeoutMs = 5000): Promise<RecordedCall[]> {
      return new Promise<RecordedCall[]>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out waiting for ${count} ${method} call(s); got ${callsTo(method).length}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          if (callsTo(method).length >= count) {
            clearTimeout(timer);
            resolve(callsTo(method));
          } else waiters.push(check);
        };
        check();
      });
    },
    failNext(failure: Failure, times = 1, method?: string) {
      for (let i = 0; i < times; i++) failures.push({ failure, method });
    },
    enforceLimits(opts: { postBurst?: number; updatesPerMinute?: number } = {}) {
      limits = { postBurst: opts.postBurst ?? 4, updatesPerMinute: opts.updatesPerMinute ?? 50 };
    },
    limited: () => calls.filter((c) => c.status === 429),
    reset() {
      calls.length = 0;
      failures.length = 0;
      limits = null;
      postTat.clear();
      updates.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FakeSlackApi;
}

function parseBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json'))
    return JSON.parse(raw || '{}') as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v === 'true' ? true : v === 'false' ? false : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
