// SPDX-License-Identifier: GPL-2.0

#include <linux/workqueue.h>

struct workqueue_struct *rust_helper_alloc_ordered_workqueue_named(const char *name,
								  unsigned int flags)
{
	return alloc_ordered_workqueue("%s", flags, name);
}

void rust_helper_init_delayed_work_with_key(struct delayed_work *dwork,
					    work_func_t func, const char *name,
					    struct lock_class_key *key)
{
	struct work_struct *work = &dwork->work;

	__init_work(work, 0);
	work->data = (atomic_long_t)WORK_DATA_INIT();
	lockdep_init_map(&work->lockdep_map, name, key, 0);
	INIT_LIST_HEAD(&work->entry);
	work->func = func;
	__init_timer(&dwork->timer, delayed_work_timer_fn, TIMER_IRQSAFE);
}

bool rust_helper_delayed_work_pending(struct delayed_work *dwork)
{
	return delayed_work_pending(dwork);
}
