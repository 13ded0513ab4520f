// ThreadSanitizer builds only (RECPLAT_SANITIZE=thread; cmake/recplat_helpers.cmake adds this
// file to every executable): makes Abseil's synchronisation visible to TSan.
//
// Debian's Abseil is a prebuilt shared library, not compiled with -fsanitize=thread, so the
// happens-before edges of absl::Mutex, absl::CondVar and absl::Notification (futexes and atomics
// inside the library) are invisible to TSan, and every access guarded by an absl::Mutex would be
// reported as a race. Abseil annotates itself for TSan only when it is itself built with TSan.
// This file interposes the library's entry points that the project calls: each wrapper calls the
// real function (found with dlsym(RTLD_NEXT)) and tells TSan what it means for memory ordering
// (__tsan_acquire after taking a lock or waking, __tsan_release before giving one up). Races on
// data not guarded by these primitives are still reported; only lock-order (deadlock) checks of
// these mutexes are lost.
//
// The wrappers are resolved by mangled name (this Abseil's inline namespace); a missing one
// aborts at the first call with its name, so an Abseil upgrade cannot silently drop them.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

void* Real(const char* mangled) {
  void* f = dlsym(RTLD_NEXT, mangled);
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found in Abseil: %s\n", mangled, dlerror());
    std::abort();
  }
  return f;
}

// The real member function `name` of type `Fn` (a free function taking `this` first).
#define RECPLAT_REAL(Fn, mangled)                               \
  static const auto real = reinterpret_cast<Fn>(Real(mangled)); \
  (void)0

// Notification::HasBeenNotified() is inline: an acquire load of the flag that follows the Mutex.
void* NotifiedFlag(const absl::Notification* n) {
  return const_cast<char*>(reinterpret_cast<const char*>(n) + sizeof(absl::Mutex));
}

// A Condition that Abseil evaluates (in the waiting thread or in the one unlocking) while it holds
// the mutex inside the library, which may then give the mutex up without going through Unlock():
// the evaluation acquires the mutex's TSan clock before (what it reads was written under the
// mutex) and releases it after (later holders are ordered after the read).
struct AnnotatedCondition {
  const absl::Condition* condition;
  absl::Mutex* mu;

  static bool Eval(AnnotatedCondition* self) {
    __tsan_acquire(self->mu);
    const bool met = self->condition->Eval();
    __tsan_release(self->mu);
    return met;
  }
};

// Reader-writer model: a writer's Unlock releases the mutex's own clock, which every later holder
// acquires; a reader's unlock releases a second clock (an address inside the mutex) that only later
// writers acquire. Readers are thus ordered after earlier writers and before later ones, but not
// among themselves, so two readers writing the same data under a shared lock are still reported.
void* ReadersClock(absl::Mutex* mu) { return reinterpret_cast<char*>(mu) + 1; }

// After taking `mu` exclusively: ordered after every earlier writer and reader.
void AcquireExclusive(absl::Mutex* mu) {
  __tsan_acquire(mu);
  __tsan_acquire(ReadersClock(mu));
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  RECPLAT_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  real(this);
  AcquireExclusive(this);
}

void Mutex::Unlock() {
  RECPLAT_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

bool Mutex::TryLock() {
  RECPLAT_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) AcquireExclusive(this);
  return locked;
}

void Mutex::ReaderLock() {
  RECPLAT_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderUnlock() {
  RECPLAT_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(ReadersClock(this));
  real(this);
}

bool Mutex::ReaderTryLock() {
  RECPLAT_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

// Await* and LockWhen* give the mutex up while waiting (Await) and return holding it.
void Mutex::Await(const Condition& cond) {
  RECPLAT_REAL(void (*)(Mutex*, const Condition&),
               "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  __tsan_release(this);
  AnnotatedCondition annotated{&cond, this};
  const Condition wrapped(&AnnotatedCondition::Eval, &annotated);
  real(this, wrapped);
  AcquireExclusive(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  RECPLAT_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
               "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  __tsan_release(this);
  AnnotatedCondition annotated{&cond, this};
  const Condition wrapped(&AnnotatedCondition::Eval, &annotated);
  const bool met = real(this, wrapped, timeout);
  AcquireExclusive(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  RECPLAT_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
               "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  __tsan_release(this);
  AnnotatedCondition annotated{&cond, this};
  const Condition wrapped(&AnnotatedCondition::Eval, &annotated);
  const bool met = real(this, wrapped, deadline);
  AcquireExclusive(this);
  return met;
}

void Mutex::LockWhen(const Condition& cond) {
  RECPLAT_REAL(void (*)(Mutex*, const Condition&),
               "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  AnnotatedCondition annotated{&cond, this};
  const Condition wrapped(&AnnotatedCondition::Eval, &annotated);
  real(this, wrapped);
  AcquireExclusive(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  RECPLAT_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
               "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  AnnotatedCondition annotated{&cond, this};
  const Condition wrapped(&AnnotatedCondition::Eval, &annotated);
  const bool met = real(this, wrapped, timeout);
  AcquireExclusive(this);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  RECPLAT_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
               "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  AnnotatedCondition annotated{&cond, this};
  const Condition wrapped(&AnnotatedCondition::Eval, &annotated);
  const bool met = real(this, wrapped, deadline);
  AcquireExclusive(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  RECPLAT_REAL(void (*)(CondVar*, Mutex*), "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  AcquireExclusive(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  RECPLAT_REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
               "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, timeout);
  AcquireExclusive(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  RECPLAT_REAL(bool (*)(CondVar*, Mutex*, absl::Time),
               "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, deadline);
  AcquireExclusive(mu);
  return timed_out;
}

void Notification::Notify() {
  RECPLAT_REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv");
  __tsan_release(this);
  __tsan_release(NotifiedFlag(this));
  real(this);
}

void Notification::WaitForNotification() const {
  RECPLAT_REAL(void (*)(const Notification*),
               "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  RECPLAT_REAL(bool (*)(const Notification*, absl::Duration),
               "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  RECPLAT_REAL(bool (*)(const Notification*, absl::Time),
               "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
