// SPDX-License-Identifier: GPL-2.0

//! Delayed work: run a function on a workqueue once a delay has passed.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h),
//! `struct delayed_work`.
//!
//! A [`DelayedWork`] is embedded in a reference-counted object (in an [`Arc`], or in any
//! [`AlwaysRefCounted`] object such as a network device). Queueing it hands one reference to
//! the workqueue, and the work function gets that reference back, so the object cannot go away
//! while the work is pending or running. Cancelling a pending work returns the reference.
//! A work function that wants to run again queues itself again, as bonding's monitors do.
//!
//! Each [`DelayedWork`] runs on one [`OwnedQueue`], attached once ([`DelayedWork::attach`])
//! and held (counted) until the work itself is dropped. The object embedding the work cannot be
//! dropped while the work is pending (the pending work holds a reference to it), so the queue
//! outlives every timer armed for it: `destroy_workqueue` drains queued work but not armed
//! timers, and a timer firing later would queue on freed memory.

use super::Queue;
use crate::{
    bindings,
    error::{code::ENOMEM, Result},
    prelude::*,
    str::CStr,
    sync::{Arc, LockClassKey},
    time::Jiffies,
    types::{ARef, AlwaysRefCounted, Opaque},
};
use core::{
    marker::PhantomData,
    ptr::{self, NonNull},
    sync::atomic::{AtomicPtr, Ordering},
};

/// A workqueue created by the driver; destroyed (after draining it) on drop. Share it in an
/// [`Arc`] with the [`DelayedWork`]s that run on it ([`DelayedWork::attach`]): it then goes
/// only after the last of them. Dropping the last reference from a work running on the queue
/// itself would deadlock (the drain waits for that work), so let the owner of the works do it.
///
/// # Invariants
///
/// `ptr` is a workqueue this value created and has not destroyed.
pub struct OwnedQueue {
    ptr: NonNull<bindings::workqueue_struct>,
}

// SAFETY: Workqueues may be used and destroyed from any thread.
unsafe impl Send for OwnedQueue {}
// SAFETY: See above.
unsafe impl Sync for OwnedQueue {}

impl OwnedQueue {
    /// Creates an ordered workqueue (`alloc_ordered_workqueue`): one work item at a time, in
    /// queueing order, as bonding uses per bond.
    pub fn new_ordered(name: &CStr, mem_reclaim: bool) -> Result<Self> {
        let flags = if mem_reclaim { bindings::wq_flags_WQ_MEM_RECLAIM } else { 0 };
        // SAFETY: `name` is NUL-terminated; the helper copies it into the workqueue.
        let ptr = unsafe { bindings::alloc_ordered_workqueue_named(name.as_char_ptr(), flags) };
        // INVARIANT: A non-NULL result is a new workqueue we own.
        NonNull::new(ptr).map(|ptr| Self { ptr }).ok_or(ENOMEM)
    }
}

impl core::ops::Deref for OwnedQueue {
    type Target = Queue;

    fn deref(&self) -> &Queue {
        // SAFETY: The workqueue is live for the life of `self` (type invariants).
        unsafe { Queue::from_raw(self.ptr.as_ptr()) }
    }
}

impl Drop for OwnedQueue {
    fn drop(&mut self) {
        // SAFETY: The workqueue is ours (type invariants); `destroy_workqueue` drains it.
        unsafe { bindings::destroy_workqueue(self.ptr.as_ptr()) };
    }
}

/// A counted reference that can be passed through a work item as a raw pointer.
///
/// # Safety
///
/// `into_raw` and `from_raw` must round-trip one counted reference.
pub unsafe trait RefPointer<T: ?Sized>: Sized {
    /// Gives up the reference as a raw pointer.
    fn into_raw(self) -> *const T;

    /// Takes back a reference given up by `into_raw`.
    ///
    /// # Safety
    ///
    /// `ptr` must come from `into_raw` and be taken back once.
    unsafe fn from_raw(ptr: *const T) -> Self;
}

// SAFETY: `Arc::into_raw`/`from_raw` round-trip a counted reference.
unsafe impl<T: Send + Sync> RefPointer<T> for Arc<T> {
    fn into_raw(self) -> *const T {
        Arc::into_raw(self)
    }

    unsafe fn from_raw(ptr: *const T) -> Self {
        // SAFETY: Guaranteed by the caller.
        unsafe { Arc::from_raw(ptr) }
    }
}

// SAFETY: `ARef::into_raw`/`from_raw` round-trip a counted reference.
unsafe impl<T: AlwaysRefCounted> RefPointer<T> for ARef<T> {
    fn into_raw(self) -> *const T {
        ARef::into_raw(self).as_ptr()
    }

    unsafe fn from_raw(ptr: *const T) -> Self {
        // SAFETY: Guaranteed by the caller: a counted reference given up by `into_raw`.
        unsafe { ARef::from_raw(NonNull::new_unchecked(ptr.cast_mut())) }
    }
}

/// A type with a [`DelayedWork`] field, number `ID` (a type may have several).
///
/// # Safety
///
/// `delayed_work` and `from_delayed_work` must convert between an object and the
/// `delayed_work` of its `DelayedWork<Self::Item, ID>` field. Use [`impl_has_delayed_work!`],
/// which checks the field's type.
pub unsafe trait HasDelayedWork<const ID: u64 = 0> {
    /// The work item the field's function runs for: `Self`, or the object that embeds `Self`
    /// (a device whose private data holds the work).
    type Item: ?Sized;

    /// The `delayed_work` inside `this`.
    ///
    /// # Safety
    ///
    /// `this` must point to a valid object.
    unsafe fn delayed_work(this: *const Self) -> *mut bindings::delayed_work;

    /// The object that contains `work`.
    ///
    /// # Safety
    ///
    /// `work` must be the `delayed_work` of a valid object of this type.
    unsafe fn from_delayed_work(work: *mut bindings::delayed_work) -> *const Self;
}

/// Implements [`HasDelayedWork`] for a struct with a `DelayedWork<Self, ID>` field, or a
/// `DelayedWork<Item, ID>` field where the work runs for an object `Item` embedding the struct.
///
/// ```ignore
/// impl_has_delayed_work! { impl HasDelayedWork<0> for Monitor { self.work } }
/// impl_has_delayed_work! { impl HasDelayedWork<1, Item = DriverDevice<Bond>> for Bond { self.mii } }
/// ```
///
/// The field's type is checked: naming a field that is not a `DelayedWork<Item, ID>` (another
/// item's work, another `ID`, or no work at all) is a compile error, not a wrong cast. This,
/// for instance, no longer compiles (`count` is no work, `other` another item's):
///
/// ```ignore
/// struct Monitor { other: DelayedWork<Other, 0>, count: u32 }
/// impl_has_delayed_work! { impl HasDelayedWork<0> for Monitor { self.count } }
/// impl_has_delayed_work! { impl HasDelayedWork<0> for Monitor { self.other } }
/// ```
#[macro_export]
macro_rules! impl_has_delayed_work {
    ($(impl$({$($generics:tt)*})? HasDelayedWork<$id:tt $(, Item = $item:ty)?> for $ty:ty { self.$field:ident })*) => {$(
        // SAFETY: The offset is that of the field, whose type the assignment in
        // `delayed_work` checks to be `DelayedWork<Self::Item, ID>`, which starts with (is
        // `repr(transparent)` over) a `delayed_work`.
        unsafe impl$(<$($generics)*>)? $crate::workqueue::delayed::HasDelayedWork<$id> for $ty {
            type Item = $crate::__delayed_work_item!(Self $(, $item)?);

            unsafe fn delayed_work(this: *const Self) -> *mut $crate::bindings::delayed_work {
                // SAFETY: `this` is valid (caller); the field exists.
                let field = unsafe { ::core::ptr::addr_of!((*this).$field) };
                // Type check: the named field must be a `DelayedWork<Self::Item, ID>`.
                let field: *const $crate::workqueue::delayed::DelayedWork<Self::Item, $id> = field;
                field.cast_mut().cast()
            }

            unsafe fn from_delayed_work(
                work: *mut $crate::bindings::delayed_work,
            ) -> *const Self {
                let off = ::core::mem::offset_of!(Self, $field);
                // SAFETY: `work` is the field of an object of this type (caller).
                unsafe { work.cast::<u8>().sub(off).cast() }
            }
        }
    )*};
}
pub use impl_has_delayed_work;

/// The `Item` of [`impl_has_delayed_work!`]: `Self` unless named.
#[doc(hidden)]
#[macro_export]
macro_rules! __delayed_work_item {
    (Self) => { Self };
    (Self, $item:ty) => { $item };
}

/// An object with delayed work: what runs when work `ID` fires.
pub trait DelayedWorkItem<const ID: u64 = 0>: HasDelayedWork<ID, Item = Self> + Send + Sync + 'static {
    /// The counted reference the work holds while pending or running.
    type Pointer: RefPointer<Self>;

    /// The work function; `this` is the reference given up when the work was queued.
    fn run(this: Self::Pointer);
}

/// A `delayed_work` embedded in a `T`.
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::sync::Arc;
/// use kernel::workqueue::delayed::{self, DelayedWork, DelayedWorkItem, OwnedQueue};
/// use kernel::{c_str, impl_has_delayed_work, new_delayed_work};
///
/// #[pin_data]
/// struct Ticker {
///     runs: AtomicU32,
///     #[pin]
///     work: DelayedWork<Ticker>,
/// }
/// impl_has_delayed_work! { impl HasDelayedWork<0> for Ticker { self.work } }
/// impl DelayedWorkItem for Ticker {
///     type Pointer = Arc<Ticker>;
///     fn run(this: Arc<Ticker>) {
///         this.runs.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let t = Arc::pin_init(
///     pin_init!(Ticker { runs: AtomicU32::new(0), work <- new_delayed_work!() }),
///     GFP_KERNEL,
/// )?;
/// // No queue attached yet: nothing is queued.
/// assert!(!delayed::enqueue::<Ticker, 0>(t.clone(), 0));
/// let queue = Arc::new(OwnedQueue::new_ordered(c_str!("doctest_wq"), false)?, GFP_KERNEL)?;
/// t.work.attach(&queue)?;
/// assert_eq!(t.work.attach(&queue), Err(EBUSY));
/// // The work keeps the queue: dropping ours, even with a timer armed, destroys nothing.
/// drop(queue);
/// // A long delay: cancelling returns the reference the queue held.
/// assert!(delayed::enqueue::<Ticker, 0>(t.clone(), 10_000));
/// assert!(!delayed::enqueue::<Ticker, 0>(t.clone(), 10_000));
/// assert!(delayed::is_pending(&*t));
/// assert!(delayed::cancel_sync(&*t));
/// assert_eq!(t.runs.load(Ordering::Relaxed), 0);
/// // A long delay moved to none: flushing waits for the run.
/// assert!(delayed::enqueue::<Ticker, 0>(t.clone(), 10_000));
/// delayed::modify::<Ticker, 0>(t.clone(), 0);
/// delayed::flush(&*t);
/// assert_eq!(t.runs.load(Ordering::Relaxed), 1);
/// assert!(!delayed::is_pending(&*t));
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `work` was initialised with `run::<T, ID>` as its function. `queue` is null or a reference
/// given up by `Arc::into_raw`, set once by `attach` and taken back only on drop.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct DelayedWork<T: ?Sized, const ID: u64 = 0> {
    /// First, so that a pointer to the `DelayedWork` is one to its `delayed_work`.
    #[pin]
    work: Opaque<bindings::delayed_work>,
    queue: AtomicPtr<OwnedQueue>,
    _p: PhantomData<T>,
}

impl<T: ?Sized, const ID: u64> DelayedWork<T, ID> {
    /// Makes `queue` the one this work runs on, for the rest of the work's life; `EBUSY` if a
    /// queue is attached already. Until then [`enqueue`] queues nothing.
    pub fn attach(&self, queue: &Arc<OwnedQueue>) -> Result {
        let raw = Arc::into_raw(queue.clone()).cast_mut();
        // Release pairs with the acquire in `queue`: the queue is visible to whoever sees it.
        match self
            .queue
            .compare_exchange(ptr::null_mut(), raw, Ordering::Release, Ordering::Relaxed)
        {
            Ok(_) => Ok(()),
            Err(_) => {
                // SAFETY: Not stored: the reference given up above is still ours.
                drop(unsafe { Arc::from_raw(raw) });
                Err(crate::error::code::EBUSY)
            }
        }
    }

    /// The attached queue, for as long as `self` is borrowed.
    fn queue(&self) -> Option<&Queue> {
        let q = self.queue.load(Ordering::Acquire);
        // SAFETY: Non-null means an attached `Arc<OwnedQueue>` (type invariants), released only
        // when `self` is dropped, which the borrow excludes.
        unsafe { q.as_ref() }.map(|q| &**q)
    }
}

#[pinned_drop]
impl<T: ?Sized, const ID: u64> PinnedDrop for DelayedWork<T, ID> {
    fn drop(self: Pin<&mut Self>) {
        let q = self.queue.swap(ptr::null_mut(), Ordering::Acquire);
        if !q.is_null() {
            // SAFETY: `q` is the reference `attach` gave up (type invariants), taken back once.
            // The object embedding the work is going, so no instance of it is pending.
            drop(unsafe { Arc::from_raw(q) });
        }
    }
}

// SAFETY: The kernel runs the work on any CPU; `T: Send + Sync` as `DelayedWorkItem` requires.
unsafe impl<T: ?Sized, const ID: u64> Send for DelayedWork<T, ID> {}
// SAFETY: All operations go through the workqueue API, which is thread-safe.
unsafe impl<T: ?Sized, const ID: u64> Sync for DelayedWork<T, ID> {}

/// Creates a [`DelayedWork`] initialiser with a new lock class.
#[macro_export]
macro_rules! new_delayed_work {
    ($($name:literal)?) => {
        $crate::workqueue::delayed::DelayedWork::new(
            $crate::optional_name!($($name)?),
            $crate::static_lock_class!(),
        )
    };
}
pub use new_delayed_work;

impl<T: DelayedWorkItem<ID>, const ID: u64> DelayedWork<T, ID> {
    /// An initialiser; use [`new_delayed_work!`].
    pub fn new(name: &'static CStr, key: &'static LockClassKey) -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: The helper initialises every field of the `delayed_work` in place; the
            // name and key are static.
            work <- Opaque::ffi_init(|w| unsafe {
                bindings::init_delayed_work_with_key(w, Some(run::<T, ID>), name.as_char_ptr(), key.as_ptr())
            }),
            queue: AtomicPtr::new(ptr::null_mut()),
            _p: PhantomData,
        })
    }
}

/// The work function the kernel calls.
extern "C" fn run<T: DelayedWorkItem<ID>, const ID: u64>(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the first field of a `delayed_work` embedded in a `T` (type
    // invariants of `DelayedWork`); queueing gave up one reference to that `T`, taken back here.
    let this = unsafe {
        let obj = T::from_delayed_work(work.cast());
        T::Pointer::from_raw(obj)
    };
    T::run(this);
}

/// The `DelayedWork` field behind `this`'s work `ID`.
///
/// # Safety
///
/// `this` must point to a valid object, which the returned reference must not outlive.
unsafe fn field<'a, T: DelayedWorkItem<ID>, const ID: u64>(this: *const T) -> &'a DelayedWork<T, ID> {
    // SAFETY: `HasDelayedWork` (implemented by `impl_has_delayed_work!`, which checks the
    // field's type) points at a `DelayedWork<T::Item, ID>` = `DelayedWork<T, ID>` field, whose
    // first field is the `delayed_work` (`repr(C)`). Valid as long as the object (caller).
    unsafe { &*T::delayed_work(this).cast::<DelayedWork<T, ID>>() }
}

/// Queues `this`'s work `ID` to run after `delay` jiffies (`queue_delayed_work`), on the queue
/// attached to it.
///
/// Returns `false` (and drops `this`) if the work was already pending, or has no queue.
pub fn enqueue<T: DelayedWorkItem<ID>, const ID: u64>(this: T::Pointer, delay: Jiffies) -> bool {
    let raw = this.into_raw();
    // SAFETY: `raw` is valid while we hold the reference, which is until the end of this
    // function at least.
    let work = unsafe { field::<T, ID>(raw) };
    let queued = match work.queue() {
        // SAFETY: `raw` is valid; its work was initialised by `DelayedWork::new`, and the
        // queue stays alive while the work can be pending (it is released when the work is
        // dropped). On success the workqueue owns the reference until `run`.
        Some(queue) => unsafe {
            bindings::queue_delayed_work_on(
                bindings::wq_misc_consts_WORK_CPU_UNBOUND as i32,
                queue.0.get(),
                work.work.get(),
                delay,
            )
        },
        None => false,
    };
    if !queued {
        // SAFETY: Not queued: the reference is still ours.
        drop(unsafe { T::Pointer::from_raw(raw) });
    }
    queued
}

/// Queues `this`'s work `ID` to run after `delay` jiffies, moving its timer if it was already
/// pending (as `mod_delayed_work` does).
///
/// Built as a cancel of the pending instance (whose reference comes back) and a new
/// [`enqueue`], rather than on `mod_delayed_work_on`: that returns `false` both when it queued
/// the work and when it did not (work disabled with `disable_delayed_work`), so the reference
/// handed to it could not be accounted for. If another caller queues the work in between,
/// `enqueue` finds it pending and drops the surplus reference.
pub fn modify<T: DelayedWorkItem<ID>, const ID: u64>(this: T::Pointer, delay: Jiffies) {
    let raw = this.into_raw();
    // SAFETY: `raw` is valid (we hold a reference); the work was initialised by `DelayedWork::new`.
    if unsafe { bindings::cancel_delayed_work(T::delayed_work(raw)) } {
        // SAFETY: A cancelled pending work never runs: the reference it held is returned, and
        // ours (still held) keeps the object alive, so this is not the last one.
        drop(unsafe { T::Pointer::from_raw(raw) });
    }
    // SAFETY: `raw` is the reference given up above, taken back once.
    enqueue::<T, ID>(unsafe { T::Pointer::from_raw(raw) }, delay);
}

/// Cancels `this`'s work `ID` and waits for a running instance to finish
/// (`cancel_delayed_work_sync`). Returns `true` if a pending work was cancelled.
///
/// Must not be called from the work itself.
pub fn cancel_sync<T: DelayedWorkItem<ID>, const ID: u64>(this: &T) -> bool {
    // SAFETY: `this` is valid; its work was initialised by `DelayedWork::new`.
    let cancelled = unsafe { bindings::cancel_delayed_work_sync(T::delayed_work(this)) };
    if cancelled {
        // SAFETY: A cancelled pending work never runs: the reference it held is returned to
        // us. The caller's borrow keeps `this` alive, so this is not the last reference.
        drop(unsafe { T::Pointer::from_raw(this) });
    }
    cancelled
}

/// Runs a pending `this`'s work `ID` now, if its timer is armed, and waits for the last
/// queueing of it to finish (`flush_delayed_work`). Returns `true` if it waited.
///
/// Must not be called from the work itself.
pub fn flush<T: DelayedWorkItem<ID>, const ID: u64>(this: &T) -> bool {
    // SAFETY: `this` is valid; its work was initialised. Flushing moves a pending work from
    // its timer to its queue with the reference it holds; no reference changes hands here.
    unsafe { bindings::flush_delayed_work(T::delayed_work(this)) }
}

/// `true` if `this`'s work `ID` is pending (`delayed_work_pending`).
pub fn is_pending<T: DelayedWorkItem<ID>, const ID: u64>(this: &T) -> bool {
    // SAFETY: `this` is valid; the work was initialised.
    unsafe { bindings::delayed_work_pending(T::delayed_work(this)) }
}

const _: () = {
    // `run` casts the `work_struct` pointer to the enclosing `delayed_work`.
    assert!(core::mem::offset_of!(bindings::delayed_work, work) == 0);
};
