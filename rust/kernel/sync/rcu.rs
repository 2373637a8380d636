// SPDX-License-Identifier: GPL-2.0

//! Read-copy-update: read-side critical sections and RCU-published pointers.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h).
//!
//! Readers enter a read-side critical section with [`read_lock`] and may then follow an
//! [`RcuBox`] to the value it publishes, for as long as the returned [`Guard`] lives. Writers
//! publish a new value with [`RcuBox::replace`]; the old value comes back as a [`Retired`] that
//! waits for a grace period (every reader that might still see it has left its critical
//! section) before the value is dropped.

use crate::{alloc::KBox, bindings};
use core::{
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};

/// An RCU read-side critical section.
///
/// # Invariants
///
/// The current CPU is inside an RCU read-side critical section entered by [`read_lock`] for as
/// long as the guard lives; the guard is not `Send`, so it is dropped on the same thread.
pub struct Guard {
    _not_send: PhantomData<*mut ()>,
}

impl Guard {
    /// Leaves the read-side critical section.
    pub fn unlock(self) {}
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SAFETY: By the type invariants, the section was entered by `read_lock` on this thread.
        unsafe { bindings::rcu_read_unlock() };
    }
}

/// Enters an RCU read-side critical section, left when the returned guard is dropped.
///
/// # Examples
///
/// ```
/// use kernel::sync::rcu;
///
/// let guard = rcu::read_lock();
/// drop(guard);
/// ```
pub fn read_lock() -> Guard {
    // SAFETY: `rcu_read_lock` may be called from any context; the guard's drop unlocks.
    unsafe { bindings::rcu_read_lock() };
    // INVARIANT: The read-side section was entered just above.
    Guard {
        _not_send: PhantomData,
    }
}

/// Waits until every RCU read-side critical section that started before the call has ended.
///
/// Sleeps: call from process context only.
pub fn synchronize() {
    // SAFETY: `synchronize_rcu` has no preconditions beyond sleepable context, which callers of
    // a sleeping function provide.
    unsafe { bindings::synchronize_rcu() };
}

/// An owned, heap-allocated value, optionally published to RCU readers.
///
/// Readers load it with [`RcuBox::get`] inside a read-side section and may use the reference
/// until the section ends. Writers swap in a new value with [`RcuBox::replace`]; the swap is
/// atomic, so concurrent writers are memory-safe, although callers usually serialise them with
/// a lock to keep their own logic simple.
///
/// # Invariants
///
/// `ptr` is null or comes from [`KBox::into_raw`] and is owned by this `RcuBox`. A pointer that
/// was swapped out is freed only after a grace period (see [`Retired`]).
pub struct RcuBox<T: Send + Sync> {
    ptr: AtomicPtr<T>,
    _owns: PhantomData<KBox<T>>,
}

// SAFETY: `RcuBox` hands out `&T` to any thread and moves `T` between threads on replace, which
// `T: Send + Sync` allows.
unsafe impl<T: Send + Sync> Send for RcuBox<T> {}
// SAFETY: See above; all shared access goes through atomics.
unsafe impl<T: Send + Sync> Sync for RcuBox<T> {}

impl<T: Send + Sync> RcuBox<T> {
    /// Creates an `RcuBox` that publishes nothing.
    pub const fn empty() -> Self {
        Self {
            ptr: AtomicPtr::new(ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// Returns the published value, valid until `guard` ends its read-side section.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::sync::rcu::{self, RcuBox};
    ///
    /// let slot = RcuBox::empty();
    /// assert!(slot.get(&rcu::read_lock()).is_none());
    /// slot.replace(Some(KBox::new(7u32, GFP_KERNEL)?));
    /// let guard = rcu::read_lock();
    /// assert_eq!(slot.get(&guard), Some(&7));
    /// drop(guard);
    /// let old = slot.replace(None);
    /// assert_eq!(old.map(|r| r.into_inner()).as_deref(), Some(&7));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn get<'a>(&'a self, _guard: &'a Guard) -> Option<&'a T> {
        // Acquire pairs with the release in `replace`: the pointee's initialisation is visible.
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: By the type invariants `p` is null or a live `KBox` allocation. It is freed
        // only after a grace period, which cannot end while `_guard` holds this section open.
        unsafe { p.as_ref() }
    }

    /// Publishes `new` (or nothing) and returns what was published before, as a [`Retired`]
    /// that frees it only after a grace period.
    pub fn replace(&self, new: Option<KBox<T>>) -> Option<Retired<T>> {
        let new = new.map_or(ptr::null_mut(), KBox::into_raw);
        let old = self.ptr.swap(new, Ordering::AcqRel);
        // SAFETY: By the type invariants `old` came from `KBox::into_raw` and this `RcuBox`
        // owned it; the swap removed it from view of new readers.
        ptr::NonNull::new(old).map(|old| unsafe { Retired::new(old) })
    }

    /// Returns the value without a read-side section, for callers that hold `&mut self` (and
    /// therefore exclude every reader and writer reachable through `self`).
    pub fn get_mut(&mut self) -> Option<&mut T> {
        // SAFETY: `&mut self` excludes all other access through `self`; the pointer is null or
        // an owned `KBox` allocation by the type invariants.
        unsafe { self.ptr.get_mut().as_mut() }
    }
}

impl<T: Send + Sync> Default for RcuBox<T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: Send + Sync> Drop for RcuBox<T> {
    fn drop(&mut self) {
        let p = *self.ptr.get_mut();
        if !p.is_null() {
            // SAFETY: Readers borrow `self` for the life of the references they get, so none
            // remain once `self` is dropped. `p` came from `KBox::into_raw` (type invariants).
            drop(unsafe { KBox::from_raw(p) });
        }
    }
}

/// A value removed from an [`RcuBox`], which readers may still be looking at.
///
/// Dropping it waits for a grace period ([`synchronize`], which sleeps) and then drops the value.
///
/// # Invariants
///
/// `ptr` came from [`KBox::into_raw`], is owned by this `Retired` and is no longer reachable by
/// readers that start a read-side section from now on.
pub struct Retired<T> {
    ptr: ptr::NonNull<T>,
}

// SAFETY: `Retired` owns a `T`, like a `KBox<T>`.
unsafe impl<T: Send> Send for Retired<T> {}

impl<T> Retired<T> {
    /// # Safety
    ///
    /// `ptr` must come from [`KBox::into_raw`], be owned by the caller and be unreachable by new
    /// readers.
    unsafe fn new(ptr: ptr::NonNull<T>) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self { ptr }
    }

    /// Waits for a grace period and returns the value, now exclusively owned.
    pub fn into_inner(self) -> KBox<T> {
        synchronize();
        let p = self.ptr.as_ptr();
        core::mem::forget(self);
        // SAFETY: After the grace period no reader can still refer to the value, and the
        // allocation came from `KBox::into_raw` (type invariants).
        unsafe { KBox::from_raw(p) }
    }
}

impl<T> Drop for Retired<T> {
    fn drop(&mut self) {
        synchronize();
        // SAFETY: As in `into_inner`.
        drop(unsafe { KBox::from_raw(self.ptr.as_ptr()) });
    }
}
