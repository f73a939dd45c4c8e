import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Alert, FieldError } from '../../domain/alerts/alert';
import { normalizeAlert } from '../../domain/alerts/normalize-alert';
import type { IntakeOutcome } from '../../domain/incidents/incident';
import { sendError } from './errors';
import { ReplicationUnconfirmedError } from '../redis/replication-barrier';

export const MAX_ALERTS_PER_REQUEST = 500;
export const MAX_BODY_BYTES = 1024 * 1024;

type Recorded = { incidentId: string | null; outcome: IntakeOutcome };

export interface AlertIntake {
  record(alert: Alert): Promise<Recorded>;
  /**
   * A request's alerts together (see record-alert.ts): in order per incident key, `after` right
   * after each. Without it the webhook records them one after another.
   */
  recordMany?(
    alerts: readonly Alert[],
    after?: (alert: Alert, result: Recorded) => Promise<void>,
  ): Promise<Recorded[]>;
}

export interface AlertResult {
  alertId: string | null;
  incidentId: string | null;
  outcome: IntakeOutcome | 'rejected';
  healthSet: string | null;
  monitor: string | null;
  server: string | null;
  errors?: FieldError[];
}

export interface WebhookDeps {
  scomWebhookToken: string;
  intake: AlertIntake;
  scomTimeZone?: string;
  /** Told about every alert's result as it is decided (metrics). */
  onAlertResult?: (result: AlertResult) => void;
  /** Called with each valid alert before it is recorded (the demo sets its simulated fault). */
  onAlertReceived?: (alert: Alert) => void;
  /**
   * Awaited after each alert is recorded (the audit trail's "alert received"). If it fails the
   * request fails with 500 and SCOM retries: the alert is then a duplicate, and the hook runs again.
   */
  onAlertRecorded?: (
    alert: Alert,
    result: { incidentId: string | null; outcome: IntakeOutcome },
  ) => Promise<void>;
  /**
   * Awaited before a 202: the writes are on Redis' replicas (REDIS_WAIT_REPLICAS). A
   * `ReplicationUnconfirmedError` answers 503 with Retry-After, and SCOM's script sends again:
   * the alert is then a duplicate of what the primary has.
   */
  beforeAccept?: () => Promise<void>;
}

/**
 * POST /api/alerts/scom: one SCOM alert or an array of them. Answers 202 with a result per alert
 * when at least one was accepted, 422 when none was.
 */
export function scomWebhookRouter(deps: WebhookDeps): Router {
  const router = Router();
  const expected = digest(deps.scomWebhookToken);

  const requireToken = (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Compare digests so the comparison takes the same time whatever the length of the guess.
    if (!m || !m[1] || !timingSafeEqual(digest(m[1]), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="scom-webhook"');
      sendError(res, 401, 'unauthorized', 'Missing or wrong bearer token.');
      return;
    }
    next();
  };

  const requireJson = (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) {
      sendError(res, 415, 'unsupported_media_type', 'Send the alert as application/json.');
      return;
    }
    next();
  };

  const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true });

  const bodyErrors = (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const type = (err as { type?: string } | null)?.type;
    if (type === 'entity.too.large') {
      return sendError(
        res,
        413,
        'payload_too_large',
        `The body is larger than ${MAX_BODY_BYTES} bytes.`,
      );
    }
    if (type === 'entity.parse.failed') {
      return sendError(res, 400, 'invalid_json', 'The body is not valid JSON.');
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendError(res, 415, 'unsupported_encoding', 'Send the body as UTF-8 JSON.');
    }
    next(err);
  };

  router.post(
    '/scom',
    requireToken,
    requireJson,
    parseJson,
    bodyErrors,
    async (req: Request, res: Response) => {
      const body: unknown = req.body;
      const items = Array.isArray(body) ? body : [body];
      if (items.length === 0) {
        return sendError(res, 400, 'no_alerts', 'The array holds no alerts.');
      }
      if (items.length > MAX_ALERTS_PER_REQUEST) {
        return sendError(
          res,
          400,
          'too_many_alerts',
          `At most ${MAX_ALERTS_PER_REQUEST} alerts per request (got ${items.length}); send them in batches.`,
        );
      }
      const results: Array<AlertResult | null> = [];
      const valid: Array<{ at: number; alert: Alert }> = [];
      for (const item of items) {
        const normalized = normalizeAlert(item, { timeZone: deps.scomTimeZone ?? 'UTC' });
        if (!normalized.ok) {
          results.push({
            alertId: normalized.alertId,
            incidentId: null,
            outcome: 'rejected',
            healthSet: null,
            monitor: null,
            server: null,
            errors: normalized.errors,
          });
          continue;
        }
        valid.push({ at: results.length, alert: normalized.alert });
        results.push(null);
      }
      for (const v of valid) deps.onAlertReceived?.(v.alert);
      const alerts = valid.map((v) => v.alert);
      const after = async (alert: Alert, recorded: Recorded) => {
        await deps.onAlertRecorded?.(alert, recorded);
      };
      let recorded: Recorded[];
      if (deps.intake.recordMany && alerts.length > 1) {
        // Recorded together, in order per incident; each alert's audit entry right after it.
        recorded = await deps.intake.recordMany(alerts, after);
      } else {
        // In order: a batch may hold an alert and, later, its resolution.
        recorded = [];
        for (const alert of alerts) {
          const r = await deps.intake.record(alert);
          await after(alert, r);
          recorded.push(r);
        }
      }
      valid.forEach((v, i) => {
        const r = recorded[i] as Recorded;
        results[v.at] = {
          alertId: v.alert.id,
          incidentId: r.incidentId,
          outcome: r.outcome,
          healthSet: v.alert.healthSet,
          monitor: v.alert.monitor,
          server: v.alert.server?.name ?? null,
        };
      });
      const done = results.filter((r): r is AlertResult => r !== null);
      for (const r of done) deps.onAlertResult?.(r);
      const accepted = done.some((r) => r.outcome !== 'rejected');
      if (accepted && deps.beforeAccept) {
        try {
          await deps.beforeAccept();
        } catch (err) {
          if (!(err instanceof ReplicationUnconfirmedError)) throw err;
          res.set('Retry-After', '1');
          return sendError(
            res,
            503,
            'replication_unconfirmed',
            `Recorded, but not yet on Redis' replicas (${err.message}); send the alert again.`,
          );
        }
      }
      res.status(accepted ? 202 : 422).json({ results: done });
    },
  );
  return router;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
