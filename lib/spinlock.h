/* A spinlock that records its owner, so a CPU that faults while holding the console lock
 * (and then wants to print why) takes it again instead of deadlocking on itself. */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <stdint.h>

#include "machine/x86.h"

#define SPINLOCK_FREE UINTPTR_MAX

struct spinlock {
	volatile uintptr_t owner;
};

#define SPINLOCK_INIT { SPINLOCK_FREE }

/* Returns 1 when it took the lock, 0 when the caller already held it. */
static inline int spin_lock(struct spinlock *l, uintptr_t me)
{
	if (l->owner == me)
		return 0;
	while (!__sync_bool_compare_and_swap(&l->owner, SPINLOCK_FREE, me))
		pause();
	return 1;
}

static inline void spin_unlock(struct spinlock *l, int taken)
{
	if (taken)
		__atomic_store_n(&l->owner, SPINLOCK_FREE, __ATOMIC_RELEASE);
}

#endif
