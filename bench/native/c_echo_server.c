/* Placeholder until the benchmark harness lands; see bench/README. */
#include <stdio.h>
int main(void) { fprintf(stderr, "c_echo_server: not built yet\n"); return 1; }
