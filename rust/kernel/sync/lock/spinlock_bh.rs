// SPDX-License-Identifier: GPL-2.0

//! A spinlock that also disables bottom halves (softirqs) on the local CPU.
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h), `spin_lock_bh()`.
//!
//! Use it for data shared between process context and softirq context (the network transmit and
//! receive paths, timers): holding a plain spinlock in process context while a softirq on the
//! same CPU tries to take it deadlocks.
//!
//! Where softirqs cannot run anyway (bottom halves or interrupts already off, as in a network
//! driver's transmit callback), [`SpinLockBh::lock_softirqs_off`] takes the same lock with a
//! plain `spin_lock()`, as C does there, and saves the `local_bh_disable`/`enable` pair.

use super::Guard;
use core::marker::PhantomData;

/// Creates a [`SpinLockBh`] initialiser with the given name and a new lock class.
#[macro_export]
macro_rules! new_spinlock_bh {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::sync::SpinLockBh::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_spinlock_bh;

/// A spinlock taken with `spin_lock_bh()`: bottom halves stay disabled while it is held.
///
/// # Examples
///
/// ```
/// use kernel::{new_spinlock_bh, sync::SpinLockBh};
/// use kernel::sync::lock::spinlock_bh::{BhDisabled, SoftirqsOff};
///
/// let counter = KBox::pin_init(new_spinlock_bh!(0u32), GFP_KERNEL)?;
/// *counter.lock() += 1;
/// assert_eq!(*counter.lock(), 1);
///
/// // Where bottom halves are off already, without disabling them again.
/// let bh = BhDisabled::new();
/// // SAFETY: `bh` keeps bottom halves disabled while `off` lives.
/// let off = unsafe { SoftirqsOff::assume() };
/// *counter.lock_softirqs_off(&off) += 1;
/// assert_eq!(*counter.lock(), 2);
/// drop(off);
/// drop(bh);
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockBh<T> = super::Lock<T, SpinLockBhBackend>;

/// Proof that softirqs cannot run on the current CPU: bottom halves (or hard interrupts) are
/// disabled for as long as the value lives. Callbacks that the kernel always runs so (a
/// network driver's `ndo_start_xmit`) lend one to the driver.
///
/// # Invariants
///
/// Bottom halves or interrupts are disabled on the current CPU while the value lives; it is
/// not `Send`.
pub struct SoftirqsOff {
    _not_send: PhantomData<*mut ()>,
}

impl SoftirqsOff {
    /// Lends the softirq-free context the caller is in.
    ///
    /// # Safety
    ///
    /// Bottom halves or hard interrupts must be disabled on the current CPU for as long as the
    /// returned value lives.
    #[inline]
    pub unsafe fn assume() -> Self {
        // INVARIANT: The caller guarantees it.
        Self { _not_send: PhantomData }
    }
}

/// Bottom halves disabled on the current CPU (`local_bh_disable()`) until dropped
/// (`local_bh_enable()`).
pub struct BhDisabled {
    _not_send: PhantomData<*mut ()>,
}

impl BhDisabled {
    /// Disables bottom halves on the current CPU.
    pub fn new() -> Self {
        // SAFETY: `local_bh_disable` may be called from any context but hard interrupts; the
        // drop pairs it on the same CPU (the value is not `Send`).
        unsafe { crate::bindings::local_bh_disable() };
        Self { _not_send: PhantomData }
    }
}

impl Drop for BhDisabled {
    fn drop(&mut self) {
        // SAFETY: Pairs the `local_bh_disable` of `new`, on the same CPU.
        unsafe { crate::bindings::local_bh_enable() };
    }
}

impl<T: ?Sized> SpinLockBh<T> {
    /// Takes the lock with a plain `spin_lock()`, in a context where softirqs cannot run
    /// (`off`), so bottom halves need no disabling. The guard lives no longer than `off`.
    #[inline]
    pub fn lock_softirqs_off<'a>(&'a self, _off: &'a SoftirqsOff) -> Guard<'a, T, SpinLockBhBackend> {
        // SAFETY: The lock was initialised by `Lock::new`; no softirq can interrupt the holder
        // on this CPU while it is held (`off`, which outlives the guard), so taking it without
        // `_bh` cannot deadlock against a softirq that takes it.
        unsafe { crate::bindings::spin_lock(self.state.get()) };
        // SAFETY: The lock is held; the `false` state makes the guard release it with
        // `spin_unlock`, matching.
        unsafe { Guard::new(self, false) }
    }
}

/// A kernel `spinlock_t` lock backend that disables bottom halves while held.
pub struct SpinLockBhBackend;

// SAFETY: The underlying kernel `spinlock_t` object ensures mutual exclusion; `lock` and `unlock`
// pair `spin_lock_bh` with `spin_unlock_bh` on the same object.
unsafe impl super::Backend for SpinLockBhBackend {
    type State = crate::bindings::spinlock_t;
    /// `true` if the guard disabled bottom halves (`spin_lock_bh`), `false` if it was taken
    /// with them off already (`spin_lock`, [`SpinLockBh::lock_softirqs_off`]).
    type GuardState = bool;

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut crate::bindings::lock_class_key,
    ) {
        // SAFETY: The safety requirements ensure that `ptr` is valid for writes, and `name` and
        // `key` are valid for read indefinitely.
        unsafe { crate::bindings::__spin_lock_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The safety requirements of this function ensure that `ptr` points to valid
        // memory, and that it has been initialised before.
        unsafe { crate::bindings::spin_lock_bh(ptr) };
        true
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, guard_state: &Self::GuardState) {
        if *guard_state {
            // SAFETY: The safety requirements of this function ensure that `ptr` is valid and
            // that the caller is the owner of the spinlock, taken with `spin_lock_bh`.
            unsafe { crate::bindings::spin_unlock_bh(ptr) }
        } else {
            // SAFETY: As above, taken with `spin_lock` (`lock_softirqs_off`).
            unsafe { crate::bindings::spin_unlock(ptr) }
        }
    }
}
