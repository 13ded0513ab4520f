// File: blas_threads.h
//
// BlasThreads: sets OpenBLAS's thread count for its lifetime (a training's fit) and restores
// it after. Debian's LibTorch multiplies matrices through OpenBLAS, whose own thread pool
// at::set_num_threads does not reach: with the default (one thread per core) its idle workers
// spin in sched_yield and take half the CPU of a training on 2 cores. The functions are looked
// up at run time, so any other BLAS works too (then nothing is set). No torch here: the torch
// modules of trainers/torch_* include it.
//
// Thread-safety: OpenBLAS's setting is process-wide; one fit at a time should hold one.
#pragma once

#include <dlfcn.h>

namespace recplat::torch_common {

class BlasThreads {
 public:
  explicit BlasThreads(int threads) {
    set_ = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    auto get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    if (set_ != nullptr && get != nullptr) {
      previous_ = get();
      set_(threads);
    }
  }
  ~BlasThreads() {
    if (set_ != nullptr && previous_ > 0) set_(previous_);
  }
  BlasThreads(const BlasThreads&) = delete;
  BlasThreads& operator=(const BlasThreads&) = delete;

 private:
  void (*set_)(int) = nullptr;
  int previous_ = 0;
};

}  // namespace recplat::torch_common
