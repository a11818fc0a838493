/** Latencies, in seconds: 1 ms to 5 s (an ack waits for a batch write, usually a few ms). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Messages per store batch: 1 up to MESSAGE_BATCH_MAX's default range. */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];
