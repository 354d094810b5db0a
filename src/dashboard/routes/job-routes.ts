/** @module `GET /api/jobs/{id}`: a job's state, progress, result or error (the last 20 jobs are kept). */
import { sendJson } from '../../gateway/server/send-json.js';
import type { ApiHandler } from '../dashboard-api.js';
import { ApiNotFoundError } from '../dashboard-errors.js';

export const jobRoute: ApiHandler = async (api, _ctx, call) => {
  const id = call.params.id ?? '';
  const job = api.jobs.get(id);
  if (job === undefined) throw new ApiNotFoundError(`no job '${id}' (jobs are kept in memory, the last 20, until the server restarts)`, 'job_not_found');
  sendJson(call.res, 200, job, { 'cache-control': 'no-store' });
};
