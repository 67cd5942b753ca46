// Worker pools: the public names of src/workers, listed explicitly.
export { WorkerPool, type WorkerPoolOptions, type RunOptions, type WorkerPoolStats } from './pool';
export { deferToWorker, getDefaultWorkerPool } from './default-pool';
export { transfer, type TransferredResult } from './transfer';
