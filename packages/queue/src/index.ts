/**
 * @ns/queue — a sweep of @ns/sweep beyond one machine: its trials, sampling shards and their
 * merge as BullMQ jobs on a Redis the user runs, taken by `ns worker` processes on any machine
 * that sees the sweep folder (NFS, a cluster volume). Results are the local pool's, bit for bit:
 * a worker runs each trial in the same trial process.
 *
 *   const target = parseRedisUrl('redis://localhost:6379');
 *   await submitSweep({ target, out: 'runs/sweep', grid, log: console.error });
 *   await runWorker({ target, out: 'runs/sweep', jobs: 2, device: 'cpu', log: console.error });
 */
export { checkRedis, redisOptions } from './connection.js';
export { QueueError, type QueueErrorCode } from './errors.js';
export {
  JOB_OPTIONS,
  mergeJobId,
  type QueueFile,
  queueFilePath,
  readQueueFile,
  type SweepJobData,
  type SweepJobName,
  shardJobId,
} from './jobs.js';
export {
  K8S_GRACE_SECONDS,
  type K8sManifestOptions,
  k8sWorkerJob,
  k8sWorkerManifest,
  toYaml,
  type YamlValue,
} from './k8s.js';
export {
  type FollowOutcome,
  followSweep,
  openQueue,
  type Submission,
  type SubmitOptions,
  submitSweep,
  sweepQueueName,
  sweepStates,
  type TrialQueueState,
} from './submit.js';
export { parseRedisUrl, type RedisTarget, redactUrl } from './url.js';
export { runWorker, type WorkerOptions, type WorkerOutcome } from './worker.js';
