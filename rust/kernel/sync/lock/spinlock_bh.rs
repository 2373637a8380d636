// SPDX-License-Identifier: GPL-2.0

//! A spinlock that also disables bottom halves (softirqs) on the local CPU.
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h), `spin_lock_bh()`.
//!
//! Use it for data shared between process context and softirq context (the network transmit and
//! receive paths, timers): holding a plain spinlock in process context while a softirq on the
//! same CPU tries to take it deadlocks.

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
///
/// let counter = KBox::pin_init(new_spinlock_bh!(0u32), GFP_KERNEL)?;
/// *counter.lock() += 1;
/// assert_eq!(*counter.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockBh<T> = super::Lock<T, SpinLockBhBackend>;

/// A kernel `spinlock_t` lock backend that disables bottom halves while held.
pub struct SpinLockBhBackend;

// SAFETY: The underlying kernel `spinlock_t` object ensures mutual exclusion; `lock` and `unlock`
// pair `spin_lock_bh` with `spin_unlock_bh` on the same object.
unsafe impl super::Backend for SpinLockBhBackend {
    type State = crate::bindings::spinlock_t;
    type GuardState = ();

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut crate::bindings::lock_class_key,
    ) {
        // SAFETY: The safety requirements ensure that `ptr` is valid for writes, and `name` and
        // `key` are valid for read indefinitely.
        unsafe { crate::bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The safety requirements of this function ensure that `ptr` points to valid
        // memory, and that it has been initialised before.
        unsafe { crate::bindings::spin_lock_bh(ptr) }
    }

    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The safety requirements of this function ensure that `ptr` is valid and that the
        // caller is the owner of the spinlock, taken with `spin_lock_bh`.
        unsafe { crate::bindings::spin_unlock_bh(ptr) }
    }
}
