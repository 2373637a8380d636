// SPDX-License-Identifier: GPL-2.0

#include <linux/spinlock.h>

void rust_helper_spin_lock_nested(spinlock_t *lock, int subclass)
{
	spin_lock_nested(lock, subclass);
}
