// How much memory the web and worker processes keep: V8's and glibc's settings, set in the
// environment of every way they start (src/dev/stack.ts here; Dockerfile.web and
// Dockerfile.worker carry the same ENV, which test/infra/dockerfiles.test.ts checks; Terraform
// runs those images). Measured on a web process under the benchmark's list and upload loads.
export const PROCESS_MEMORY_ENV = {
  // Young generation 2 × 4 MB instead of 2 × 16 MB: 24 MB less resident, and short-lived
  // ArrayBuffers (stream chunks) are freed sooner. Not --max-old-space-size: a 256 MB cap kept
  // the old space ~40 MB after the list load, but made V8 collect fully so often during a
  // 1 GB upload (external memory counts against it) that the upload took 2.5× the CPU.
  NODE_OPTIONS: '--max-semi-space-size=4',
  // Two malloc arenas instead of one per thread (8 × cores): V8's helper threads otherwise
  // each keep an arena of their own partly filled.
  MALLOC_ARENA_MAX: '2',
  // A fixed threshold: blocks of 128 KiB and more (5 MiB upload parts) are mapped and
  // returned on free, instead of the threshold rising to their size and freed parts
  // staying in the heap.
  MALLOC_MMAP_THRESHOLD_: '131072',
} as const;
