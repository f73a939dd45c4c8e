import type { Response } from 'express';

/** Every HTTP error we send has this shape: a stable code and a sentence for a person. */
export interface HttpErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details?: unknown,
): void {
  const body: HttpErrorBody = {
    error: { code, message, ...(details === undefined ? {} : { details }) },
  };
  res.status(status).json(body);
}
