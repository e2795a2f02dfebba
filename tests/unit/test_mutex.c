/*
 * Host unit tests for libsys's sleeping lock (lib/libsys/mutex.c). The kernel's notification
 * is replaced by a fake with its semantics (a signal nobody waits for stays pending; a wait
 * takes it or blocks): single-threaded, the fake's wait runs "the other thread" so that the
 * priority-inversion case is exact; with two host threads it is a real binary semaphore.
 */
#define _POSIX_C_SOURCE 200809L /* alarm */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "libsys/libsys.h"
#include "libsys/mutex.h"
#include "libsys/objects.h"

#define FAKE_NOTIFICATION 77

static struct {
    pthread_mutex_t guard;
    pthread_cond_t signalled;
    int pending;
    unsigned waits, signals;
    void (*on_wait)(void); /* single-threaded tests: what "the other thread" does meanwhile */
} fake = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0};

struct result libsys_make_object(unsigned type, unsigned bits, uint64_t *slot)
{
    assert_int_equal(type, CAP_NOTIFICATION);
    assert_int_equal(bits, 0);
    *slot = FAKE_NOTIFICATION;
    return result_ok();
}

long missive_syscall(long number, uint64_t slot, uint64_t tag, struct missive_msg *msg)
{
    (void)tag, (void)msg;
    assert_int_equal(slot, FAKE_NOTIFICATION);
    if (number == SYS_RECV && fake.on_wait) {
        void (*other)(void) = fake.on_wait;
        fake.on_wait = 0;
        other();
    }
    pthread_mutex_lock(&fake.guard);
    if (number == SYS_SEND) {
        fake.signals++;
        fake.pending = 1;
        pthread_cond_signal(&fake.signalled);
    } else {
        assert_int_equal(number, SYS_RECV);
        fake.waits++;
        while (!fake.pending)
            pthread_cond_wait(&fake.signalled, &fake.guard);
        fake.pending = 0;
    }
    pthread_mutex_unlock(&fake.guard);
    return 0;
}

static struct mutex lock;

static int set_up(void **state)
{
    (void)state;
    fake.pending = 0, fake.waits = fake.signals = 0, fake.on_wait = 0;
    assert_true(result_is_ok(mutex_init(&lock)));
    return 0;
}

/* Without contention: no system call either way. */
static void test_uncontended(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        mutex_lock(&lock);
        mutex_unlock(&lock);
    }
    assert_int_equal(fake.waits, 0);
    assert_int_equal(fake.signals, 0);
    assert_int_equal(atomic_load(&lock.state), 0);
}

static void holder_releases(void)
{
    assert_int_equal(atomic_load(&lock.state), 2); /* the waiter said it waits */
    mutex_unlock(&lock);
}

/* The console's hang: the lock is held by a thread that cannot run while the waiter spins.
   The waiter must stop spinning and wait on the notification (which lets the holder run and
   release it), then hold the lock itself. */
static void test_waiter_sleeps_for_holder(void **state)
{
    (void)state;
    mutex_lock(&lock); /* "the helper", preempted while holding it */
    fake.on_wait = holder_releases;
    mutex_lock(&lock); /* "the console's thread" */
    assert_int_equal(fake.waits, 1);
    assert_int_equal(fake.signals, 1);
    assert_null(fake.on_wait);
    assert_int_not_equal(atomic_load(&lock.state), 0); /* held by the waiter now */
    mutex_unlock(&lock);
    assert_int_equal(atomic_load(&lock.state), 0);
    /* A stale signal (the waiter held it at 2) costs the next waiter one look, no more. */
    mutex_lock(&lock);
    mutex_unlock(&lock);
    assert_int_equal(atomic_load(&lock.state), 0);
}

/* A wake-up sent before the waiter waits is not lost (the notification keeps it pending). */
static void test_early_signal_not_lost(void **state)
{
    (void)state;
    atomic_store(&lock.state, 2); /* held, a waiter announced */
    mutex_unlock(&lock);          /* the signal comes before anyone waits */
    assert_int_equal(fake.pending, 1);
    atomic_store(&lock.state, 2); /* another takes it and marks it contended */
    fake.on_wait = holder_releases;
    mutex_lock(&lock);
    assert_int_not_equal(atomic_load(&lock.state), 0);
    mutex_unlock(&lock);
}

#define ROUNDS 50000
static unsigned long counter;

static void *contender(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        mutex_lock(&lock);
        unsigned long seen = counter;
        if (i % 64 == 0)
            sched_yield(); /* a holder off the CPU: the others must sleep, not spin */
        counter = seen + 1;
        mutex_unlock(&lock);
    }
    return 0;
}

/* Three threads at once: mutual exclusion (no increment lost), and the lock ends free. */
static void test_threads(void **state)
{
    (void)state;
    pthread_t threads[3];
    counter = 0;
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&threads[i], 0, contender, 0), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(threads[i], 0), 0);
    assert_int_equal(counter, 3ul * ROUNDS);
    assert_int_equal(atomic_load(&lock.state), 0);
    assert_true(fake.waits > 0); /* the sched_yield made contention that slept */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_uncontended, set_up),
        cmocka_unit_test_setup(test_waiter_sleeps_for_holder, set_up),
        cmocka_unit_test_setup(test_early_signal_not_lost, set_up),
        cmocka_unit_test_setup(test_threads, set_up),
    };
    alarm(60); /* a lock that spins where it should sleep hangs a test: end it as a failure */
    return cmocka_run_group_tests(tests, 0, 0);
}
