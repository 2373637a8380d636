// SPDX-License-Identifier: GPL-2.0

//! Per-CPU data: one instance of a value for every possible CPU, from `alloc_percpu()`.
//!
//! C header: [`include/linux/percpu.h`](srctree/include/linux/percpu.h) and
//! [`include/linux/percpu-defs.h`](srctree/include/linux/percpu-defs.h).
//!
//! Two types, for the two ways C uses per-CPU data on fast paths:
//!
//! - [`PerCpu<T>`] holds any zero-initialisable `T`. [`PerCpu::this_cpu`] disables preemption
//!   and lends the current CPU's instance until the guard drops, as `get_cpu_ptr()` and
//!   `put_cpu_ptr()` do. The instance is lent shared (`&T`): an interrupt on the same CPU, or a
//!   reader summing every CPU's instance, may hold a reference to it at the same time, so `T`
//!   must be `Sync` and changes go through its own interior mutability (atomics, locks).
//! - [`CpuCounter`] is a `u32` per CPU that changes only by the `this_cpu_*()` operations of its
//!   own CPU: `this_cpu_inc_return()` is one instruction on x86, safe against preemption and
//!   interrupts without a lock prefix. Readers on other CPUs use `READ_ONCE()`. Every access is
//!   made by C, under the kernel memory model; Rust never forms a reference to the memory.

use crate::{
    alloc::{flags::*, Flags},
    bindings,
    error::{code::*, Result},
    ffi::c_void,
    init::Zeroable,
};
use core::{marker::PhantomData, mem, ops::Deref, ptr::NonNull};

/// The largest allocation `pcpu_alloc()` accepts without a warning (`PCPU_MIN_UNIT_SIZE`).
const MAX_SIZE: usize = 32 << 10;

/// The CPU numbers in `cpu_possible_mask`, in order (`for_each_possible_cpu()`).
pub fn possible_cpus() -> impl Iterator<Item = u32> {
    // SAFETY: The helper only reads `nr_cpu_ids`, fixed after boot.
    let nr_cpu_ids = unsafe { bindings::percpu_nr_cpu_ids() };
    let mut prev: i32 = -1;
    core::iter::from_fn(move || {
        // SAFETY: `cpumask_next_possible()` only reads `cpu_possible_mask`, fixed after boot.
        let cpu = unsafe { bindings::cpumask_next_possible(prev) };
        if cpu >= nr_cpu_ids {
            return None;
        }
        prev = cpu as i32;
        Some(cpu)
    })
}

/// An owned `__percpu` allocation of `size` bytes, zeroed on every CPU; freed on drop.
struct Allocation {
    /// A `__percpu` address: only `this_cpu_ptr()` and `per_cpu_ptr()` may turn it into memory.
    ptr: NonNull<c_void>,
}

impl Allocation {
    fn new(size: usize, align: usize, flags: Flags) -> Result<Self> {
        // `pcpu_alloc()` warns on a zero size, an oversized unit or an odd alignment; a
        // zero-sized type still gets a byte of its own.
        let size = size.max(1);
        if size > MAX_SIZE || align > crate::page::PAGE_SIZE || !align.is_power_of_two() {
            return Err(EINVAL);
        }
        // SAFETY: `size` and `align` are within `pcpu_alloc()`'s limits, checked above.
        let ptr = unsafe { bindings::alloc_percpu_gfp(size, align, flags.as_raw()) };
        NonNull::new(ptr).map(|ptr| Self { ptr }).ok_or(ENOMEM)
    }

    /// The current CPU's instance. The caller keeps the task on this CPU while using it.
    #[inline]
    fn this_cpu_ptr(&self) -> *mut c_void {
        // SAFETY: `self.ptr` is a live `__percpu` allocation.
        unsafe { bindings::this_cpu_ptr(self.ptr.as_ptr()) }
    }

    /// CPU `cpu`'s instance; `cpu` is a possible CPU.
    #[inline]
    fn per_cpu_ptr(&self, cpu: u32) -> *mut c_void {
        // SAFETY: `self.ptr` is a live `__percpu` allocation and `cpu` a possible CPU (the
        // callers take it from `possible_cpus()`).
        unsafe { bindings::per_cpu_ptr(self.ptr.as_ptr(), cpu) }
    }
}

impl Drop for Allocation {
    fn drop(&mut self) {
        // SAFETY: `self.ptr` came from `alloc_percpu_gfp()` and is freed only here.
        unsafe { bindings::free_percpu(self.ptr.as_ptr()) }
    }
}

/// One `T` for every possible CPU, each starting as all zeroes.
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicU64, Ordering};
/// use kernel::percpu::PerCpu;
///
/// let bytes = PerCpu::<AtomicU64>::new(GFP_KERNEL)?;
/// bytes.this_cpu().fetch_add(1500, Ordering::Relaxed);
/// bytes.this_cpu().fetch_add(60, Ordering::Relaxed);
/// // The two additions may have run on different CPUs; the sum sees both.
/// let total: u64 = bytes.iter().map(|b| b.load(Ordering::Relaxed)).sum();
/// assert_eq!(total, 1560);
/// # Ok::<(), Error>(())
/// ```
pub struct PerCpu<T> {
    alloc: Allocation,
    _owns: PhantomData<T>,
}

// SAFETY: Sending a `PerCpu<T>` sends its `T`s (dropped by the receiver), so `T: Send`. Each
// instance is only ever lent as `&T`, from any thread, so `T: Sync`.
unsafe impl<T: Send + Sync> Send for PerCpu<T> {}
// SAFETY: A shared `PerCpu<T>` lends only `&T`, to any thread, which `T: Sync` allows.
unsafe impl<T: Sync> Sync for PerCpu<T> {}

impl<T: Zeroable + Sync> PerCpu<T> {
    /// Allocates one zeroed `T` per possible CPU (`__alloc_percpu_gfp()`).
    ///
    /// Fails with `EINVAL` for a `T` larger than 32 KiB or aligned beyond a page, which the
    /// per-CPU allocator cannot hold, and `ENOMEM` when memory is short.
    pub fn new(flags: Flags) -> Result<Self> {
        let alloc = Allocation::new(mem::size_of::<T>(), mem::align_of::<T>(), flags | __GFP_ZERO)?;
        Ok(Self {
            alloc,
            _owns: PhantomData,
        })
    }
}

impl<T: Sync> PerCpu<T> {
    /// The current CPU's instance, with preemption disabled until the guard drops.
    #[inline]
    pub fn this_cpu(&self) -> ThisCpu<'_, T> {
        // SAFETY: `preempt_disable()` has no preconditions; `ThisCpu::drop` undoes it.
        unsafe { bindings::preempt_disable() };
        // SAFETY: With preemption disabled the task stays on this CPU, so the pointer names this
        // CPU's instance for the guard's life; it is a zero-initialised `T` (`T: Zeroable`, as
        // `new` requires) that lives as long as `self`, and it is lent shared only.
        let value = unsafe { &*self.alloc.this_cpu_ptr().cast::<T>() };
        ThisCpu {
            value,
            _not_send: PhantomData,
        }
    }

    /// Every possible CPU's instance, in CPU order; other CPUs may use theirs meanwhile.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        possible_cpus().map(move |cpu| {
            // SAFETY: The instance is a live, initialised `T` for as long as `self` lives, lent
            // shared only; `T: Sync` allows that while its own CPU also uses it.
            unsafe { &*self.alloc.per_cpu_ptr(cpu).cast::<T>() }
        })
    }
}

impl<T> Drop for PerCpu<T> {
    fn drop(&mut self) {
        if mem::needs_drop::<T>() {
            for cpu in possible_cpus() {
                // SAFETY: Each instance is an initialised `T` that no one borrows any more (we
                // have `&mut self`); it is dropped once, and `self.alloc` frees it afterwards.
                unsafe { core::ptr::drop_in_place(self.alloc.per_cpu_ptr(cpu).cast::<T>()) };
            }
        }
    }
}

/// The current CPU's instance of a [`PerCpu<T>`]; preemption stays off until it drops.
///
/// It is not `Send`: preemption must be enabled again by the task that disabled it.
pub struct ThisCpu<'a, T> {
    value: &'a T,
    _not_send: PhantomData<*mut ()>,
}

impl<T> Deref for ThisCpu<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        self.value
    }
}

impl<T> Drop for ThisCpu<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `PerCpu::this_cpu` disabled preemption in this task when making the guard.
        unsafe { bindings::preempt_enable() };
    }
}

/// A `u32` per possible CPU, changed only by its own CPU's `this_cpu_*()` operations.
///
/// The operations are safe against preemption and interrupts on the same CPU, with no lock and
/// no atomic instruction: C's per-CPU counters, such as bonding's `rr_tx_counter`.
///
/// # Examples
///
/// ```
/// use kernel::percpu::CpuCounter;
///
/// let packets = CpuCounter::new(GFP_KERNEL)?;
/// let first = packets.inc_return();
/// packets.add(9);
/// assert!(first >= 1);
/// assert_eq!(packets.sum(), 10);
/// # Ok::<(), Error>(())
/// ```
pub struct CpuCounter {
    alloc: Allocation,
}

// SAFETY: The counter is plain memory that every CPU may change (its own instance) or read (any
// instance) through C's per-CPU operations, from any thread.
unsafe impl Send for CpuCounter {}
// SAFETY: As above: shared use only ever reaches the memory through C's per-CPU operations.
unsafe impl Sync for CpuCounter {}

impl CpuCounter {
    /// Allocates a counter, zero on every CPU.
    pub fn new(flags: Flags) -> Result<Self> {
        let alloc = Allocation::new(mem::size_of::<u32>(), mem::align_of::<u32>(), flags | __GFP_ZERO)?;
        Ok(Self { alloc })
    }

    /// Adds one to this CPU's count and returns the new count (`this_cpu_inc_return()`).
    #[inline]
    pub fn inc_return(&self) -> u32 {
        // SAFETY: `self.alloc` is a live `__percpu` allocation of a `u32`.
        unsafe { bindings::this_cpu_inc_return_u32(self.alloc.ptr.as_ptr().cast()) }
    }

    /// Adds `n` to this CPU's count, wrapping (`this_cpu_add()`).
    #[inline]
    pub fn add(&self, n: u32) {
        // SAFETY: `self.alloc` is a live `__percpu` allocation of a `u32`.
        unsafe { bindings::this_cpu_add_u32(self.alloc.ptr.as_ptr().cast(), n) }
    }

    /// The sum over every possible CPU, wrapping like each count; other CPUs may count meanwhile.
    pub fn sum(&self) -> u32 {
        possible_cpus().fold(0u32, |sum, cpu| {
            // SAFETY: The pointer is CPU `cpu`'s `u32`, live as long as `self`; `READ_ONCE()`
            // reads it whole while its own CPU may change it.
            let count = unsafe { bindings::read_once_u32(self.alloc.per_cpu_ptr(cpu).cast()) };
            sum.wrapping_add(count)
        })
    }
}
