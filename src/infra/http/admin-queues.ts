import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { sendError } from './errors';

export const ADMIN_USER = 'admin';
export const ADMIN_QUEUES_PATH = '/admin/queues';

export interface AdminQueuesOptions {
  /** ADMIN_PASSWORD; the dashboard is not mounted at all without one. */
  password: string;
  /** Queues whose jobs may be retried or cleaned from the dashboard. */
  queues: Queue[];
  /**
   * Queues shown read-only: action jobs are commands for production Exchange servers, and the
   * approval flow with its audit trail must stay the only way to start, retry or remove one.
   */
  readOnlyQueues?: Queue[];
  basePath?: string;
}

/** The bull-board job dashboard behind HTTP basic auth (user `admin`, password ADMIN_PASSWORD). */
export function adminQueuesRouter(options: AdminQueuesOptions): Router {
  const basePath = options.basePath ?? ADMIN_QUEUES_PATH;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: [
      ...options.queues.map((q) => new BullMQAdapter(q)),
      ...(options.readOnlyQueues ?? []).map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    ],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'exchange-chatops jobs' } },
  });
  const router = Router();
  router.use(basicAuth(ADMIN_USER, options.password));
  // bull-board types its router as any; it is an express Router.
  router.use(serverAdapter.getRouter() as Router);
  return router;
}

/** HTTP basic auth against one user, comparing digests so timing does not leak the password. */
export function basicAuth(user: string, password: string) {
  const expectedUser = digest(user);
  const expectedPassword = digest(password);
  return (req: Request, res: Response, next: NextFunction): void => {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.get('authorization') ?? '');
    const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const givenUser = colon >= 0 ? decoded.slice(0, colon) : '';
    const givenPassword = colon >= 0 ? decoded.slice(colon + 1) : '';
    // Both comparisons always run, so a wrong user name takes as long as a wrong password.
    const userOk = timingSafeEqual(digest(givenUser), expectedUser);
    const passwordOk = timingSafeEqual(digest(givenPassword), expectedPassword);
    if (colon < 0 || !userOk || !passwordOk) {
      res.set('WWW-Authenticate', 'Basic realm="exchange-chatops admin", charset="UTF-8"');
      sendError(res, 401, 'unauthorized', 'The job dashboard needs the admin user and password.');
      return;
    }
    next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
