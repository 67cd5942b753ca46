/*
 * A log-bucketed latency histogram (nanoseconds), in the spirit of HdrHistogram: each power
 * of two is split into 32 linear sub-buckets, so any recorded value is reported within about
 * 3 % while the whole range up to 2^64 ns fits in 16 KiB. Recording is one clz and one
 * increment, cheap enough to run for every message. Quantiles report a bucket's midpoint;
 * the maximum is kept exactly.
 */
#ifndef IOREACTOR_BENCH_LATENCY_HISTOGRAM_H
#define IOREACTOR_BENCH_LATENCY_HISTOGRAM_H

#include <stdint.h>
#include <string.h>

#define HIST_SUB_BITS 5
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_BUCKETS (64 * HIST_SUB)

struct histogram {
  uint64_t counts[HIST_BUCKETS];
  uint64_t total, max;
  double sum;
};

static inline void hist_init(struct histogram *h) { memset(h, 0, sizeof *h); }

static inline int hist_index(uint64_t v) {
  if (v < HIST_SUB) return (int)v; /* exact below 32 ns */
  int e = 63 - __builtin_clzll(v);  /* v is in [2^e, 2^(e+1)) */
  int sub = (int)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
  return ((e - HIST_SUB_BITS + 1) << HIST_SUB_BITS) + sub;
}

/* The lowest value that lands in bucket i, and the bucket's width. */
static inline void hist_bounds(int i, double *low, double *width) {
  if (i < HIST_SUB) {
    *low = i;
    *width = 1;
    return;
  }
  int e = (i >> HIST_SUB_BITS) + HIST_SUB_BITS - 1;
  int sub = i & (HIST_SUB - 1);
  double unit = (double)(1ull << (e - HIST_SUB_BITS));
  *low = (double)(HIST_SUB + sub) * unit;
  *width = unit;
}

static inline void hist_record(struct histogram *h, uint64_t v) {
  h->counts[hist_index(v)]++;
  h->total++;
  h->sum += (double)v;
  if (v > h->max) h->max = v;
}

static inline void hist_merge(struct histogram *into, const struct histogram *from) {
  for (int i = 0; i < HIST_BUCKETS; i++) into->counts[i] += from->counts[i];
  into->total += from->total;
  into->sum += from->sum;
  if (from->max > into->max) into->max = from->max;
}

/* The value below which a fraction q of the recordings fall (0 when empty). */
static inline double hist_quantile(const struct histogram *h, double q) {
  if (h->total == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)h->total);
  if (rank >= h->total) rank = h->total - 1;
  uint64_t seen = 0;
  for (int i = 0; i < HIST_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen > rank) {
      double low, width;
      hist_bounds(i, &low, &width);
      double mid = low + width / 2;
      return mid > (double)h->max ? (double)h->max : mid;
    }
  }
  return (double)h->max;
}

static inline double hist_mean(const struct histogram *h) { return h->total ? h->sum / (double)h->total : 0; }

#endif
