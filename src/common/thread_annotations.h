#pragma once
// Clang's thread-safety attributes (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html):
// which mutex guards a member, what a function must or must not hold. A clang build with
// -DSLUICE_THREAD_SAFETY=ON (-Wthread-safety -Werror, run by tools/test.sh) checks them; on
// other compilers they expand to nothing. Lock a member GUARDED_BY(m) through sluice::Mutex
// (common/mutex.h): libstdc++'s std::mutex carries no annotations, so the analysis cannot see it.

#if defined(__clang__) && !defined(SWIG)
#define SLUICE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SLUICE_THREAD_ANNOTATION(x)
#endif

// A type that is a lock ("mutex").
#define CAPABILITY(name) SLUICE_THREAD_ANNOTATION(capability(name))
// An RAII type that holds a lock from its constructor to its destructor.
#define SCOPED_CAPABILITY SLUICE_THREAD_ANNOTATION(scoped_lockable)
// A member read or written only with `m` held.
#define GUARDED_BY(m) SLUICE_THREAD_ANNOTATION(guarded_by(m))
// A pointer member whose pointee is read or written only with `m` held.
#define PT_GUARDED_BY(m) SLUICE_THREAD_ANNOTATION(pt_guarded_by(m))
// Lock order: this mutex is taken before / after the named ones.
#define ACQUIRED_BEFORE(...) SLUICE_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) SLUICE_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
// The caller must hold the locks.
#define REQUIRES(...) SLUICE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The caller must not hold the locks (the function takes them).
#define EXCLUDES(...) SLUICE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function takes / releases the locks (this object's when none is named).
#define ACQUIRE(...) SLUICE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SLUICE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) SLUICE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// The function returns the named lock.
#define RETURN_CAPABILITY(x) SLUICE_THREAD_ANNOTATION(lock_returned(x))
// Tells the analysis the lock is held here (checked at run time by the caller's logic).
#define ASSERT_CAPABILITY(x) SLUICE_THREAD_ANNOTATION(assert_capability(x))
// Opts one function out: say why next to it (single-threaded phase, a protocol the analysis
// cannot follow).
#define NO_THREAD_SAFETY_ANALYSIS SLUICE_THREAD_ANNOTATION(no_thread_safety_analysis)
