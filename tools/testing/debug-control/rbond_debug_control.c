// SPDX-License-Identifier: GPL-2.0
/*
 * The debug profile's positive control: proof that `make check-debug` would see a bug.
 *
 * With use_after_free=1 the module reads a kmalloc'ed object after kfree() (KASAN must
 * report "slab-use-after-free"); with leak=1 it drops the only pointers to eight allocations
 * (kmemleak must report them after the runner's scan). With neither it does nothing. Built
 * only against the debug kernel and loaded only by tools/testing/debug/positive_control.sh.
 */
#include <linux/module.h>
#include <linux/slab.h>

static bool use_after_free;
module_param(use_after_free, bool, 0444);
MODULE_PARM_DESC(use_after_free, "read freed memory once at load");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leak eight allocations at load");

static noinline void rbond_debug_control_use_after_free(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	pr_info("rbond_debug_control: read after free: %d\n", READ_ONCE(p[8]));
}

static noinline void rbond_debug_control_leak(void)
{
	int i;

	/*
	 * Eight objects, each dropped as the next is made: nothing refers to them any more.
	 * (The last pointer may linger in a stale stack slot, which kmemleak scans; the others
	 * cannot.)
	 */
	for (i = 0; i < 8; i++) {
		char *p = kmalloc(128, GFP_KERNEL);

		if (p)
			memset(p, 0x5a, 128);
	}
	pr_info("rbond_debug_control: leaked 8 allocations\n");
}

static int __init rbond_debug_control_init(void)
{
	if (use_after_free)
		rbond_debug_control_use_after_free();
	if (leak)
		rbond_debug_control_leak();
	return 0;
}

static void __exit rbond_debug_control_exit(void)
{
}

module_init(rbond_debug_control_init);
module_exit(rbond_debug_control_exit);
MODULE_DESCRIPTION("rbond debug profile: a deliberate use-after-free and leak");
MODULE_LICENSE("GPL");
