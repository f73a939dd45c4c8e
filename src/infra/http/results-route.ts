import { Router } from 'express';
import { z } from 'zod';
import { verifyResultLink } from '../../app/chat/result-links';
import type { RunView } from '../../domain/cards/run-view';
import { sendError } from './errors';

const params = z.object({
  incidentId: z.string().regex(/^INC-\d{1,12}$/),
  jobId: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/),
});

/** GET /results/<incident>/<job>?sig=…: a step's whole output as plain text (signed links only). */
export function resultsRouter(deps: {
  key: Buffer;
  getRun(incidentId: string): Promise<RunView | null>;
}): Router {
  const router = Router();
  router.get('/:incidentId/:jobId', async (req, res) => {
    const p = params.safeParse(req.params);
    const sig = typeof req.query.sig === 'string' ? req.query.sig : '';
    if (!p.success) return sendError(res, 400, 'invalid_request', 'Not a result link.');
    if (!verifyResultLink(deps.key, p.data.incidentId, p.data.jobId, sig)) {
      return sendError(res, 403, 'forbidden', 'This link is not valid.');
    }
    const run = await deps.getRun(p.data.incidentId);
    const result = Object.values(run?.steps ?? {})
      .flatMap((s) => s.results)
      .find((r) => r.jobId === p.data.jobId);
    if (!result) return sendError(res, 404, 'not_found', 'No such result (it may have expired).');
    res
      .type('text/plain; charset=utf-8')
      .set('cache-control', 'no-store')
      .set('content-disposition', 'inline')
      .set('x-content-type-options', 'nosniff')
      .send(
        [
          `# ${p.data.incidentId} ${result.actionId} (${result.status}, ${result.finishedAt})`,
          result.command ? `PS> ${result.command}` : '',
          '',
          result.raw ?? result.reason ?? '',
        ].join('\n'),
      );
  });
  return router;
}
