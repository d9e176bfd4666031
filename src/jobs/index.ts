export { enqueueJob, type NewJob } from './sql/enqueue-job.js';
export { JobRunner, type JobHandler, type JobContext } from './runner.js';
export type { ClaimedJob } from './sql/claim-jobs.js';
export { WorkLoop, type WorkLoopOptions } from './work-loop.js';
