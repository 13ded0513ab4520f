// ThreadSanitizer builds only (RECPLAT_SANITIZE=thread; cmake/recplat_helpers.cmake adds this
// file to every executable): makes gRPC's completion-queue hand-off visible to TSan.
//
// Debian's gRPC core is a prebuilt shared library, not compiled with -fsanitize=thread. Its
// contract is that everything a thread did before starting an operation with a tag
// (grpc_call_start_batch, grpc_server_request_*call) happens before the thread that receives
// that tag from the completion queue (grpc_completion_queue_next / _pluck) goes on; the
// synchronisation that implements it (lock-free queues and atomics inside the library) is
// invisible to TSan. The C++ layer (grpcpp) is header code compiled into our own, instrumented
// objects: a reactor's Finish() writes its CallOpSet in one thread and the callback thread that
// dequeues the tag reads it, which TSan reported as races (grpc_test, the frontend equivalence
// and Prometheus e2e tests).
//
// This file interposes those C entry points (libgrpc++ calls them through the PLT): a start
// releases the tag's TSan clock before the real call, a dequeue acquires the returned tag's
// clock after it. The tag is the address the event is matched by, so only the thread that gets
// that event is ordered after the one that started it; races on anything else are still reported.
#include <dlfcn.h>
#include <grpc/grpc.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

namespace {

void* RealGrpc(const char* name) {
  void* f = dlsym(RTLD_NEXT, name);
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_grpc_sync: %s not found in gRPC: %s\n", name, dlerror());
    std::abort();
  }
  return f;
}

}  // namespace

extern "C" {

grpc_call_error grpc_call_start_batch(grpc_call* call, const grpc_op* ops, size_t nops, void* tag,
                                      void* reserved) {
  using Fn = grpc_call_error (*)(grpc_call*, const grpc_op*, size_t, void*, void*);
  static const auto real = reinterpret_cast<Fn>(RealGrpc("grpc_call_start_batch"));
  if (tag != nullptr) __tsan_release(tag);
  return real(call, ops, nops, tag, reserved);
}

grpc_call_error grpc_server_request_call(grpc_server* server, grpc_call** call,
                                         grpc_call_details* details,
                                         grpc_metadata_array* request_metadata,
                                         grpc_completion_queue* cq_bound_to_call,
                                         grpc_completion_queue* cq_for_notification,
                                         void* tag_new) {
  using Fn = grpc_call_error (*)(grpc_server*, grpc_call**, grpc_call_details*,
                                 grpc_metadata_array*, grpc_completion_queue*,
                                 grpc_completion_queue*, void*);
  static const auto real = reinterpret_cast<Fn>(RealGrpc("grpc_server_request_call"));
  if (tag_new != nullptr) __tsan_release(tag_new);
  return real(server, call, details, request_metadata, cq_bound_to_call, cq_for_notification,
              tag_new);
}

grpc_call_error grpc_server_request_registered_call(
    grpc_server* server, void* registered_method, grpc_call** call, gpr_timespec* deadline,
    grpc_metadata_array* request_metadata, grpc_byte_buffer** optional_payload,
    grpc_completion_queue* cq_bound_to_call, grpc_completion_queue* cq_for_notification,
    void* tag_new) {
  using Fn = grpc_call_error (*)(grpc_server*, void*, grpc_call**, gpr_timespec*,
                                 grpc_metadata_array*, grpc_byte_buffer**, grpc_completion_queue*,
                                 grpc_completion_queue*, void*);
  static const auto real = reinterpret_cast<Fn>(RealGrpc("grpc_server_request_registered_call"));
  if (tag_new != nullptr) __tsan_release(tag_new);
  return real(server, registered_method, call, deadline, request_metadata, optional_payload,
              cq_bound_to_call, cq_for_notification, tag_new);
}

grpc_event grpc_completion_queue_next(grpc_completion_queue* cq, gpr_timespec deadline,
                                      void* reserved) {
  using Fn = grpc_event (*)(grpc_completion_queue*, gpr_timespec, void*);
  static const auto real = reinterpret_cast<Fn>(RealGrpc("grpc_completion_queue_next"));
  grpc_event event = real(cq, deadline, reserved);
  if (event.type == GRPC_OP_COMPLETE && event.tag != nullptr) __tsan_acquire(event.tag);
  return event;
}

grpc_event grpc_completion_queue_pluck(grpc_completion_queue* cq, void* tag,
                                       gpr_timespec deadline, void* reserved) {
  using Fn = grpc_event (*)(grpc_completion_queue*, void*, gpr_timespec, void*);
  static const auto real = reinterpret_cast<Fn>(RealGrpc("grpc_completion_queue_pluck"));
  grpc_event event = real(cq, tag, deadline, reserved);
  if (event.type == GRPC_OP_COMPLETE && event.tag != nullptr) __tsan_acquire(event.tag);
  return event;
}

}  // extern "C"
