// RwMutex: a reader-writer lock that prefers writers. A thread waiting for
// exclusive access blocks new shared holders, so a steady stream of readers
// cannot starve it (glibc's default rwlock, behind std::shared_mutex,
// prefers readers). Built on pthread_rwlock_t so that ThreadSanitizer sees
// every acquisition. Not recursive: a thread must not take it twice.
//
//   RwMutex mu;
//   mu.lock_shared();  ...read...  mu.unlock_shared();
//   std::lock_guard<RwMutex> exclusive(mu);  // ...write...
#ifndef MINITF_CORE_RW_MUTEX_H_
#define MINITF_CORE_RW_MUTEX_H_

#include <pthread.h>

namespace minitf {

class RwMutex {
 public:
  RwMutex() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwMutex() { pthread_rwlock_destroy(&lock_); }
  RwMutex(const RwMutex&) = delete;
  RwMutex& operator=(const RwMutex&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace minitf

#endif  // MINITF_CORE_RW_MUTEX_H_
