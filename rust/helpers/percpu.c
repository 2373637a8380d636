// SPDX-License-Identifier: GPL-2.0

#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

void __percpu *rust_helper_alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	return __alloc_percpu_gfp(size, align, gfp);
}

void *rust_helper_this_cpu_ptr(void __percpu *ptr)
{
	return this_cpu_ptr(ptr);
}

void *rust_helper_per_cpu_ptr(void __percpu *ptr, unsigned int cpu)
{
	return per_cpu_ptr(ptr, cpu);
}

void rust_helper_preempt_disable(void)
{
	preempt_disable();
}

void rust_helper_preempt_enable(void)
{
	preempt_enable();
}

unsigned int rust_helper_percpu_nr_cpu_ids(void)
{
	return nr_cpu_ids;
}

unsigned int rust_helper_cpumask_next_possible(int cpu)
{
	return cpumask_next(cpu, cpu_possible_mask);
}

u32 rust_helper_this_cpu_inc_return_u32(u32 __percpu *counter)
{
	return this_cpu_inc_return(*counter);
}

void rust_helper_this_cpu_add_u32(u32 __percpu *counter, u32 n)
{
	this_cpu_add(*counter, n);
}

u32 rust_helper_read_once_u32(const u32 *value)
{
	return READ_ONCE(*value);
}
