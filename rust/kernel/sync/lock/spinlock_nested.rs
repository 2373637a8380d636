// SPDX-License-Identifier: GPL-2.0

//! Taking a [`SpinLock`](super::spinlock::SpinLock) in a lockdep subclass, for locks of one
//! class that are held together (one device's lock while it reads a lower device of the same
//! driver, say).
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h),
//! `spin_lock_nested()`.

use super::{spinlock::SpinLockBackend, Guard, Lock};

/// How many subclasses lockdep has per lock class (`MAX_LOCKDEP_SUBCLASSES`).
pub const MAX_SUBCLASSES: u32 = 8;

impl<T: ?Sized> Lock<T, SpinLockBackend> {
    /// Acquires the lock as `spin_lock_nested()` does: lockdep files it under `subclass` of
    /// the lock's class, so that locks of one class can be held at once, as long as they are
    /// always taken in the same order of subclasses. Subclasses from [`MAX_SUBCLASSES`] on
    /// are taken as the last one (lockdep has no others). Without lockdep this is
    /// [`Lock::lock`].
    ///
    /// # Examples
    ///
    /// Two locks made at one place share a class; held together, each in its own subclass:
    ///
    /// ```
    /// use kernel::{new_spinlock, sync::SpinLock};
    ///
    /// fn counter() -> impl PinInit<SpinLock<u32>> {
    ///     new_spinlock!(0)
    /// }
    /// let upper = KBox::pin_init(counter(), GFP_KERNEL)?;
    /// let lower = KBox::pin_init(counter(), GFP_KERNEL)?;
    /// let mut u = upper.lock_nested(1);
    /// // `lower.lock()` here is what lockdep reports as possible recursive locking.
    /// let l = lower.lock_nested(0);
    /// *u += *l + 1;
    /// drop(l);
    /// drop(u);
    /// assert_eq!(*upper.lock(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn lock_nested(&self, subclass: u32) -> Guard<'_, T, SpinLockBackend> {
        let subclass = subclass.min(MAX_SUBCLASSES - 1);
        // SAFETY: The constructor of `Lock` called `init`, so the state is an initialised
        // `spinlock_t`; the subclass is below `MAX_LOCKDEP_SUBCLASSES`.
        unsafe { crate::bindings::spin_lock_nested(self.state.get(), subclass as _) };
        // SAFETY: The lock was just acquired. `SpinLockBackend`'s guard state is `()` and its
        // `unlock` is `spin_unlock()`, which releases a lock taken with `spin_lock_nested()`.
        unsafe { Guard::new(self, ()) }
    }
}
