// SPDX-License-Identifier: GPL-2.0

//! Read-copy-update: read-side critical sections and RCU-published pointers.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h).
//!
//! Readers enter a read-side critical section with [`read_lock`] and may then follow an
//! [`RcuBox`] to the value it publishes, for as long as the returned [`Guard`] lives. Writers
//! publish a new value with [`RcuBox::replace`]; the old value comes back as a [`Retired`] that
//! waits for a grace period (every reader that might still see it has left its critical
//! section) before the value is dropped. A writer that should not wait puts it in a
//! [`Graveyard`] instead, which frees it once its grace period has passed
//! ([`GracePeriod`], the polled grace-period API).

use crate::{
    alloc::{flags::GFP_KERNEL, KBox, KVec},
    bindings,
};
use core::{
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};

/// An RCU read-side critical section.
///
/// # Invariants
///
/// The current CPU is inside an RCU read-side critical section for as long as the guard lives:
/// one entered by [`read_lock`], which the guard leaves when dropped, or, for a guard lent by
/// [`Held`] (never dropped), one its context already is. The guard is not `Send`, so it is
/// dropped on the same thread.
pub struct Guard {
    _not_send: PhantomData<*mut ()>,
}

impl Guard {
    /// Leaves the read-side critical section.
    #[inline]
    pub fn unlock(self) {}
}

impl Drop for Guard {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariants, a guard that is dropped was made by `read_lock` on
        // this thread.
        unsafe { bindings::rcu_read_unlock() };
    }
}

/// A read-side critical section that the caller's context already is, lent out as a [`Guard`]
/// without entering or leaving one.
///
/// Since v4.20 RCU treats a region with bottom halves, preemption or interrupts disabled as a
/// read-side critical section: a grace period waits for it as for `rcu_read_lock`. Callbacks
/// that the kernel always runs in such a region (`ndo_start_xmit`, for one) lend the driver a
/// `&Guard` through this type instead of paying for a `rcu_read_lock`/`rcu_read_unlock` pair.
///
/// # Examples
///
/// ```
/// use kernel::sync::rcu;
///
/// let outer = rcu::read_lock();
/// // SAFETY: `outer` keeps this thread in a read-side section while `held` lives.
/// let held = unsafe { rcu::Held::assume() };
/// let guard: &rcu::Guard = &held;
/// let slot = rcu::RcuBox::<u32>::empty();
/// assert!(slot.get(guard).is_none());
/// drop(held); // leaves nothing: `outer` still holds the section
/// drop(outer);
/// ```
///
/// # Invariants
///
/// The current CPU is inside an RCU read-side critical section for as long as this value
/// lives; it is not `Send`, and it never calls `rcu_read_unlock`.
pub struct Held(core::mem::ManuallyDrop<Guard>);

impl Held {
    /// Lends the read-side critical section the caller is in.
    ///
    /// # Safety
    ///
    /// The caller's context must be an RCU read-side critical section (`rcu_read_lock` held,
    /// or bottom halves, preemption or interrupts disabled) for as long as the returned value
    /// lives.
    #[inline]
    pub unsafe fn assume() -> Self {
        // INVARIANT: The caller guarantees the section; `ManuallyDrop` keeps the guard's drop,
        // and so `rcu_read_unlock`, from running.
        Self(core::mem::ManuallyDrop::new(Guard { _not_send: PhantomData }))
    }
}

impl core::ops::Deref for Held {
    type Target = Guard;

    #[inline]
    fn deref(&self) -> &Guard {
        &self.0
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
#[inline]
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
    #[inline]
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

/// A grace period that has been started, to be polled or waited for
/// (`start_poll_synchronize_rcu()`'s cookie).
///
/// Once it has elapsed, every reader that was inside a read-side critical section when it
/// was started has left that section.
#[derive(Clone, Copy)]
pub struct GracePeriod(crate::ffi::c_ulong);

impl GracePeriod {
    /// Notes the current point and makes sure a grace period that covers it will run.
    pub fn start() -> Self {
        // SAFETY: `start_poll_synchronize_rcu` has no preconditions (it does not sleep).
        Self(unsafe { bindings::start_poll_synchronize_rcu() })
    }

    /// `true` once the grace period has elapsed (`poll_state_synchronize_rcu()`).
    pub fn has_elapsed(self) -> bool {
        // SAFETY: Any cookie from `start_poll_synchronize_rcu` may be polled, however old.
        unsafe { bindings::poll_state_synchronize_rcu(self.0) }
    }

    /// Waits until the grace period has elapsed; returns at once if it has
    /// (`cond_synchronize_rcu()`). Sleeps: process context only.
    pub fn wait(self) {
        // SAFETY: As in `has_elapsed`; callers of a sleeping function provide the context.
        unsafe { bindings::cond_synchronize_rcu(self.0) }
    }
}

/// Values taken out of [`RcuBox`]es, freed once no reader can still see them, without the
/// writer that retired them waiting for a grace period (C: `kfree_rcu()` and friends, for
/// values of any type).
///
/// [`Graveyard::bury`] starts a grace period for each value, and frees the values whose
/// grace period has already elapsed. [`Graveyard::drain`], and dropping the graveyard, wait
/// for the last one and free everything. Values are dropped by these calls, in their
/// caller's context: never in an RCU callback, and never after the graveyard's owner (and the
/// module whose code drops them) is gone. A value whose grave cannot be allocated is freed the
/// slow way, after [`synchronize`].
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::sync::rcu::{self, Graveyard, RcuBox};
///
/// static DROPPED: AtomicU32 = AtomicU32::new(0);
/// struct Counted(u32);
/// impl Drop for Counted {
///     fn drop(&mut self) {
///         DROPPED.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let slot = RcuBox::empty();
/// let mut graves = Graveyard::new();
/// slot.replace(Some(KBox::new(Counted(1), GFP_KERNEL)?));
/// for i in 2..5 {
///     // Does not wait: the old value is buried.
///     if let Some(old) = slot.replace(Some(KBox::new(Counted(i), GFP_KERNEL)?)) {
///         graves.bury(old);
///     }
/// }
/// assert!(graves.len() <= 3);
/// graves.drain();
/// assert_eq!(graves.len(), 0);
/// assert_eq!(DROPPED.load(Ordering::Relaxed), 3);
/// assert_eq!(slot.get(&rcu::read_lock()).map(|c| c.0), Some(4));
/// # Ok::<(), Error>(())
/// ```
pub struct Graveyard {
    graves: KVec<Grave>,
}

/// A buried value: its allocation, how to drop it, and the grace period it waits for.
#[derive(Clone, Copy)]
struct Grave {
    after: GracePeriod,
    ptr: ptr::NonNull<()>,
    drop: unsafe fn(ptr::NonNull<()>),
}

// SAFETY: A `Graveyard` owns its values, which `bury` requires to be `Send`.
unsafe impl Send for Graveyard {}
// SAFETY: Nothing is reachable through `&Graveyard`.
unsafe impl Sync for Graveyard {}

/// Drops the `KBox<T>` at `ptr`.
///
/// # Safety
///
/// `ptr` must come from `KBox::<T>::into_raw`, be owned by the caller, and no reader may still
/// see it.
unsafe fn drop_boxed<T>(ptr: ptr::NonNull<()>) {
    // SAFETY: Guaranteed by the caller.
    drop(unsafe { KBox::from_raw(ptr.cast::<T>().as_ptr()) });
}

impl Grave {
    /// Frees the value.
    ///
    /// # Safety
    ///
    /// The grace period must have elapsed, and the grave must not be used again.
    unsafe fn free(&self) {
        // SAFETY: `ptr` and `drop` came together from `bury` for the same `T`, and the grace
        // period that makes the value unreachable has elapsed (the caller's guarantee).
        unsafe { (self.drop)(self.ptr) };
    }
}

impl Graveyard {
    /// An empty graveyard (allocates nothing).
    pub const fn new() -> Self {
        Self { graves: KVec::new() }
    }

    /// How many values wait for their grace period.
    pub fn len(&self) -> usize {
        self.graves.len()
    }

    /// `true` if no value waits.
    pub fn is_empty(&self) -> bool {
        self.graves.is_empty()
    }

    /// Frees `retired` once its grace period has elapsed, without waiting for it, and frees
    /// the values buried earlier whose grace period has. May sleep to allocate.
    pub fn bury<T: Send>(&mut self, retired: Retired<T>) {
        self.reap();
        let grave = Grave {
            // Started after `retired` was unpublished, so it covers every reader that saw it.
            after: GracePeriod::start(),
            ptr: retired.ptr.cast(),
            drop: drop_boxed::<T>,
        };
        match self.graves.push(grave, GFP_KERNEL) {
            // INVARIANT: The grave now owns the value `retired` owned.
            Ok(()) => core::mem::forget(retired),
            // Freed after `synchronize` by `Retired`'s drop.
            Err(_) => drop(retired),
        }
    }

    /// Frees the values whose grace period has elapsed.
    pub fn reap(&mut self) {
        // Graves are in the order their grace periods started, so the elapsed ones come first;
        // stopping at the first that has not elapsed only delays the others.
        let done = self.graves.iter().take_while(|g| g.after.has_elapsed()).count();
        if done == 0 {
            return;
        }
        for g in &self.graves[..done] {
            // SAFETY: Its grace period has elapsed; the shift below forgets the grave.
            unsafe { g.free() };
        }
        self.graves.as_mut_slice().copy_within(done.., 0);
        for _ in 0..done {
            // `Grave` has no destructor: this only shortens the list.
            let _ = self.graves.pop();
        }
    }

    /// Waits for every buried value's grace period and frees them all. Sleeps.
    pub fn drain(&mut self) {
        while let Some(g) = self.graves.pop() {
            g.after.wait();
            // SAFETY: Its grace period has elapsed, and the grave was taken off the list.
            unsafe { g.free() };
        }
    }
}

impl Default for Graveyard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Graveyard {
    fn drop(&mut self) {
        self.drain();
    }
}
