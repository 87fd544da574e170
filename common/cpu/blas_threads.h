// The thread count of the BLAS library LibTorch's matmuls call. Debian's LibTorch calls the
// system BLAS (libblas.so.3); with OpenBLAS (libopenblas0-pthread) that library starts its own
// pool of as many threads as CPUs, beside LibTorch's OpenMP threads. After each call its idle
// workers spin (sched_yield, about 0.1 s) against the engine's threads: a 32-row prefill chunk
// of the demo model took 180-260 ms instead of 27 ms on 2 cores with a pool per CPU, and even
// one spinning worker took 18 % of a core from csm-1b's decode (ticks 10-13 % slower).
// Our kernels (gemm.h) do the model's matmuls; OpenBLAS is left Mimi's small fp32 ones, so
// the models give it one thread: no worker, no spinning.
#pragma once

namespace csm::cpu {

// Sets OpenBLAS's thread count when the process uses OpenBLAS (looked up at run time, so
// another BLAS such as the reference one or BLIS is simply left alone). Returns true when an
// OpenBLAS took the count.
bool set_blas_threads(int threads);

}  // namespace csm::cpu
