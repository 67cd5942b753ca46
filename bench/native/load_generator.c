/* Placeholder until the benchmark harness lands; see bench/README. */
#include <stdio.h>
int main(void) { fprintf(stderr, "load_generator: not built yet\n"); return 1; }
