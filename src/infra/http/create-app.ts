import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger';
import type { AppMetrics } from '../metrics';
import { adminQueuesRouter, ADMIN_QUEUES_PATH, type AdminQueuesOptions } from './admin-queues';
import { sendError } from './errors';
import { scomWebhookRouter, type AlertIntake, type WebhookDeps } from './scom-webhook';

const LOGGED_HEADERS = new Set([
  'host',
  'user-agent',
  'content-type',
  'content-length',
  'x-forwarded-for',
  'x-request-id',
]);

export interface AppDeps {
  logger: Logger;
  scomWebhookToken: string;
  scomTimeZone: string;
  intake: AlertIntake;
  /** Readiness: true when every dependency we need answers. */
  isReady: () => Promise<boolean>;
  /**
   * More of what /readyz shows once Redis answers (persistence, restarts); `ok: false` makes the
   * probe fail too (a Redis that would lose data).
   */
  readyDetails?: () => Promise<{ ok: boolean } & Record<string, unknown>>;
  /** Routes of the chat adapters (Slack, Teams, console) and operations, mounted before the 404. */
  mounts?: ReadonlyArray<(app: Express) => void>;
  /** Served at GET /metrics (Prometheus text format). */
  metrics?: AppMetrics;
  /** The job dashboard at /admin/queues; only when ADMIN_PASSWORD is set. */
  adminQueues?: AdminQueuesOptions;
  /** The audit trail's "alert received" (see scom-webhook.ts). */
  onAlertRecorded?: WebhookDeps['onAlertRecorded'];
  onAlertReceived?: WebhookDeps['onAlertReceived'];
}

/** The one HTTP app: the webhook, health, metrics, the dashboard, and the routes adapters mount. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Only these request headers are logged: a platform's signature or token header (Slack's,
      // Teams' Authorization, any one added later) never reaches the logs, whoever it belongs to.
      serializers: {
        req: (req: { headers?: Record<string, unknown> }) => ({
          ...req,
          headers: Object.fromEntries(
            Object.entries(req.headers ?? {}).filter(([name]) => LOGGED_HEADERS.has(name)),
          ),
        }),
      },
      autoLogging: {
        ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
      },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const redis = await deps.isReady();
    const details = redis && deps.readyDetails ? await deps.readyDetails() : null;
    const ready = redis && (details?.ok ?? true);
    const { ok: _ok, ...shown } = details ?? { ok: true };
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', redis, ...shown });
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics.render();
      res.set('Content-Type', contentType).send(body);
    });
    app.use('/api/alerts', (_req, res, next) => {
      res.once('finish', () => metrics.webhookRequests.inc({ status: String(res.statusCode) }));
      next();
    });
  }
  if (deps.adminQueues) app.use(ADMIN_QUEUES_PATH, adminQueuesRouter(deps.adminQueues));

  app.use(
    '/api/alerts',
    scomWebhookRouter({ ...deps, onAlertResult: (r) => metrics?.observeAlert(r.outcome) }),
  );
  for (const mount of deps.mounts ?? []) mount(app);

  app.use((_req, res) => sendError(res, 404, 'not_found', 'No such endpoint.'));
  // The last stop for errors: log them, answer without internals.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    req.log.error({ err }, 'request failed');
    if (res.headersSent) return;
    sendError(res, 500, 'internal_error', 'The request could not be processed; it was logged.');
  });
  return app;
}
