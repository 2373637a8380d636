// SPDX-License-Identifier: GPL-2.0

//! Network namespaces (`struct net`) and per-namespace driver state (`pernet_operations`).
//!
//! C headers: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h),
//! [`include/net/netns/generic.h`](srctree/include/net/netns/generic.h).

use crate::{
    alloc::{KBox, KVec},
    bindings,
    error::{from_result, to_result, Result},
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
    types::Opaque,
};
use core::{
    marker::PhantomData,
    pin::Pin,
    ptr,
    sync::atomic::{AtomicBool, Ordering},
};

/// A network namespace.
///
/// # Invariants
///
/// Wraps a valid `struct net` that stays alive for the borrow (the caller holds a reference, or
/// the namespace is the one of a live device or a running callback).
#[repr(transparent)]
pub struct Net(Opaque<bindings::net>);

// SAFETY: `struct net` is shared by all threads and protects its own state.
unsafe impl Send for Net {}
// SAFETY: See above.
unsafe impl Sync for Net {}

impl Net {
    /// # Safety
    ///
    /// `ptr` must be a valid namespace that stays alive for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::net) -> &'a Net {
        // SAFETY: `Net` is transparent; validity is up to the caller.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer.
    pub fn as_raw(&self) -> *mut bindings::net {
        self.0.get()
    }

    /// The initial network namespace.
    pub fn init_ns() -> &'static Net {
        // SAFETY: `init_net` lives for the whole life of the kernel.
        unsafe { Net::from_raw(core::ptr::addr_of_mut!(bindings::init_net)) }
    }

    /// `true` if both are the same namespace.
    pub fn is(&self, other: &Net) -> bool {
        core::ptr::eq(self.as_raw(), other.as_raw())
    }

    /// The namespace's `/proc/net` directory.
    pub(crate) fn proc_net(&self) -> *mut bindings::proc_dir_entry {
        // SAFETY: `proc_net` is a field of the valid namespace, set at creation.
        unsafe { (*self.as_raw()).proc_net }
    }
}

/// What must go before a namespace does: its `/proc/net` entries and its sysfs class files
/// (`procfs::Dir`, `procfs::File::new_in_net`, `sysfs::ClassAttribute`), which are created
/// with the namespace's scope.
///
/// Such objects normally live in the namespace's [`PernetData`] and go with it. One that was
/// kept elsewhere (an `Arc` clone, say) would outlive the namespace, and its removal would
/// then touch freed memory (`/proc/net` itself is freed when the namespace goes). So each one
/// is a member of its namespace's scope: when the namespace is dismantled, after its pernet
/// state is dropped, the scope removes the members still there (revokes them) and marks
/// itself dead, and a member dropped later finds that and has nothing left to remove. No new
/// member can join a dead scope.
///
/// Members are removed, and joined, under the scope's lock, so a callback of a member must
/// not create or drop a member of the same scope while the namespace is being dismantled.
///
/// # Invariants
///
/// `net` is the namespace while `alive`; every member is live (registered) while listed.
#[pin_data]
pub struct NetScope {
    net: *mut bindings::net,
    #[pin]
    state: Mutex<ScopeState>,
}

struct ScopeState {
    alive: bool,
    members: KVec<Member>,
}

/// Removes a member, given its address (see [`NetScope::join`]).
pub(crate) type Revoke = unsafe fn(*const core::ffi::c_void);

/// A live member: what to pass to `revoke` to remove it.
#[derive(Clone, Copy)]
struct Member {
    obj: *const core::ffi::c_void,
    revoke: Revoke,
}

// SAFETY: The raw pointers are only used under the lock, by whichever thread holds it.
unsafe impl Send for NetScope {}
// SAFETY: See above.
unsafe impl Sync for NetScope {}

impl NetScope {
    fn new(net: *mut bindings::net) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                net,
                state <- new_mutex!(ScopeState { alive: true, members: KVec::new() }),
            }),
            GFP_KERNEL,
        )
    }

    /// The namespace pointer, for tagging (valid to dereference only while alive).
    pub(crate) fn net_ptr(&self) -> *mut bindings::net {
        self.net
    }

    /// The scope of the initial namespace, which is never dismantled: its members are
    /// removed only when they are dropped.
    pub fn initial() -> Result<Arc<Self>> {
        Self::new(Net::init_ns().as_raw())
    }

    /// Runs `create` with the namespace if the scope is alive, under the scope's lock (so
    /// the namespace is not dismantled meanwhile); `create` returns the member made, if any,
    /// as (object, revoke), which joins the scope.
    ///
    /// # Safety
    ///
    /// A member returned must stay live until it is passed to [`NetScope::leave`] or
    /// revoked, and `revoke(obj)` must remove it, waiting for its running callbacks.
    pub(crate) unsafe fn join<R>(
        &self,
        create: impl FnOnce(&Net) -> Result<(R, Option<(*const core::ffi::c_void, Revoke)>)>,
    ) -> Result<R> {
        let mut state = self.state.lock();
        if !state.alive {
            return Err(ENODEV);
        }
        state.members.reserve(1, GFP_KERNEL)?;
        // SAFETY: Alive, so `net` is the live namespace (type invariants), which cannot be
        // dismantled past this scope's revocation while the lock is held.
        let (r, member) = create(unsafe { Net::from_raw(self.net) })?;
        if let Some((obj, revoke)) = member {
            // Cannot fail: room was reserved above.
            let _ = state.members.push(Member { obj, revoke }, GFP_KERNEL);
        }
        Ok(r)
    }

    /// Runs `remove` under the scope's lock if the scope is alive (the member is still
    /// there), and takes `obj` off the members if it is one. After a revocation it does
    /// nothing: the member was removed then.
    pub(crate) fn leave(&self, obj: *const core::ffi::c_void, remove: impl FnOnce()) {
        let mut state = self.state.lock();
        if !state.alive {
            return;
        }
        if let Some(i) = state.members.iter().position(|m| m.obj == obj) {
            // Never allocates.
            let _ = state.members.remove(i);
        }
        remove();
    }

    /// The namespace goes: removes every member still there, and no member joins again.
    fn revoke(&self) {
        let mut state = self.state.lock();
        state.alive = false;
        while let Some(m) = state.members.pop() {
            // SAFETY: Listed, so live, and `revoke` removes it (`join`'s contract).
            unsafe { (m.revoke)(m.obj) };
        }
    }
}

/// The slot number the kernel assigns to a pernet subsystem (`pernet_operations::id`).
///
/// Declare one per subsystem as a `static`; [`Registration`] fills it in. One registration
/// at a time may hold it: a second `Registration::new` with the same id (two registrations of
/// one type, or two types naming one static) fails with `EBUSY` instead of sharing, and so
/// later freeing twice, the generic slot.
///
/// ```
/// # use kernel::net::namespace::{Net, NetScope, PernetData, PernetId, Registration};
/// # use kernel::{prelude::*, sync::Arc};
/// static ID: PernetId = PernetId::new();
/// struct State(u32);
/// impl PernetData for State {
///     fn id() -> &'static PernetId { &ID }
///     fn init(_net: &Net, _scope: &Arc<NetScope>) -> impl PinInit<Self, Error> { State(0) }
/// }
/// let first = Registration::<State>::new()?;
/// assert_eq!(Registration::<State>::new().err(), Some(EBUSY));
/// drop(first);
/// let again = Registration::<State>::new()?;
/// # drop(again);
/// # Ok::<(), Error>(())
/// ```
pub struct PernetId {
    id: Opaque<core::ffi::c_uint>,
    claimed: AtomicBool,
}

// SAFETY: The kernel writes the id only during registration, which `claimed` makes exclusive,
// before any reader of that registration can run.
unsafe impl Sync for PernetId {}

impl PernetId {
    /// An unassigned id.
    pub const fn new() -> Self {
        Self {
            id: Opaque::new(0),
            claimed: AtomicBool::new(false),
        }
    }

    fn get(&self) -> core::ffi::c_uint {
        // SAFETY: Written only by `register_pernet_subsys`, before any per-net callback runs.
        unsafe { *self.id.get() }
    }
}

impl Default for PernetId {
    fn default() -> Self {
        Self::new()
    }
}

/// Per-namespace state of a subsystem: one value per network namespace, created when the
/// namespace is (or when the subsystem registers, for existing ones) and dropped when it goes.
pub trait PernetData: Sized + Send + Sync + 'static {
    /// The subsystem's id slot.
    fn id() -> &'static PernetId;

    /// Builds the state of namespace `net`. `scope` is the namespace's [`NetScope`], for the
    /// `/proc/net` entries and sysfs class files the state creates.
    fn init(net: &Net, scope: &Arc<NetScope>) -> impl PinInit<Self, Error>;

    /// Called when `net` is dismantled, before its state is dropped.
    fn exit(_this: Pin<&Self>, _net: &Net) {}

    /// Called first when `net` is dismantled, before RTNL is taken for `exit_rtnl`: remove
    /// the ways user space could create new objects in `net` (sysfs files) here.
    fn pre_exit(_this: Pin<&Self>, _net: &Net) {}

    /// Called with RTNL held when `net` is dismantled, before [`PernetData::exit`]: delete
    /// the subsystem's devices in that namespace here.
    fn exit_rtnl(_this: Pin<&Self>, _net: &Net, _rtnl: &super::Rtnl) {}
}

/// The per-namespace area of a subsystem with state `T`: the state, and the namespace's scope.
#[repr(C)]
struct Slot<T> {
    data: T,
    scope: Arc<NetScope>,
}

/// A registered pernet subsystem; unregistering (on drop) dismantles its state in every
/// namespace.
///
/// # Invariants
///
/// `ops` is registered with `register_pernet_subsys` for the life of the value.
pub struct Registration<T: PernetData> {
    ops: Pin<KBox<Opaque<bindings::pernet_operations>>>,
    _p: PhantomData<T>,
}

// SAFETY: Holds only the ops the kernel itself shares.
unsafe impl<T: PernetData> Send for Registration<T> {}
// SAFETY: See above.
unsafe impl<T: PernetData> Sync for Registration<T> {}

impl<T: PernetData> Registration<T> {
    /// Registers the subsystem; `T::init` runs for every existing namespace.
    pub fn new() -> Result<Self> {
        if T::id()
            .claimed
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(EBUSY);
        }
        Self::register().inspect_err(|_| T::id().claimed.store(false, Ordering::Release))
    }

    fn register() -> Result<Self> {
        let ops = bindings::pernet_operations {
            init: Some(Self::init_callback),
            pre_exit: Some(Self::pre_exit_callback),
            exit: Some(Self::exit_callback),
            exit_rtnl: Some(Self::exit_rtnl_callback),
            id: T::id().id.get(),
            size: core::mem::size_of::<Slot<T>>(),
            // SAFETY: The remaining fields (list head, optional callbacks) are valid zeroed.
            ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
        };
        let () = Self::ALIGN_OK;
        let ops = KBox::pin(Opaque::new(ops), GFP_KERNEL)?;
        // SAFETY: `ops` is initialised and pinned, and outlives the registration.
        to_result(unsafe { bindings::register_pernet_subsys(ops.get()) })?;
        // INVARIANT: Registered just above.
        Ok(Self {
            ops,
            _p: PhantomData,
        })
    }

    /// The kernel allocates the per-net area with `kzalloc`: at least 8-byte aligned.
    const ALIGN_OK: () = assert!(core::mem::align_of::<Slot<T>>() <= 8);

    /// # Safety
    ///
    /// The subsystem must be registered and `net` alive and initialised for it.
    unsafe fn slot(net: &Net) -> *mut Slot<T> {
        // SAFETY: Guaranteed by the caller; the slot holds `size_of::<Slot<T>>()` bytes.
        unsafe { bindings::net_generic(net.as_raw(), T::id().get()).cast() }
    }

    /// # Safety
    ///
    /// As for [`Self::slot`], and the state must be initialised.
    unsafe fn data(net: &Net) -> *mut T {
        // SAFETY: Guaranteed by the caller.
        unsafe { ptr::addr_of_mut!((*Self::slot(net)).data) }
    }

    /// The state of namespace `net`.
    pub fn get<'a>(&'a self, net: &'a Net) -> Pin<&'a T> {
        // SAFETY: The subsystem is registered (type invariants) so every live namespace has an
        // initialised state, dropped only when the namespace or the registration goes, which
        // the borrows prevent. The area never moves.
        unsafe { Pin::new_unchecked(&*Self::data(net)) }
    }

    extern "C" fn init_callback(net: *mut bindings::net) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: The core calls `init` with a live namespace whose zeroed slot it has
            // just allocated.
            let net = unsafe { Net::from_raw(net) };
            let scope = NetScope::new(net.as_raw())?;
            // SAFETY: As above; `data` is initialised in place, `scope` written only once the
            // state is, so a failed `init` leaves nothing to drop but `scope` (revoked here).
            unsafe {
                if let Err(e) = T::init(net, &scope).__pinned_init(Self::data(net)) {
                    scope.revoke();
                    return Err(e);
                }
                ptr::write(ptr::addr_of_mut!((*Self::slot(net)).scope), scope);
            }
            Ok(0)
        })
    }

    extern "C" fn pre_exit_callback(net: *mut bindings::net) {
        // SAFETY: Called for a namespace whose state `init` built, before `exit`.
        unsafe {
            let net = Net::from_raw(net);
            T::pre_exit(Pin::new_unchecked(&*Self::data(net)), net);
        }
    }

    extern "C" fn exit_rtnl_callback(
        net: *mut bindings::net,
        _kill_list: *mut bindings::list_head,
    ) {
        // SAFETY: Called with RTNL held for a namespace whose state `init` built.
        unsafe {
            let net = Net::from_raw(net);
            T::exit_rtnl(Pin::new_unchecked(&*Self::data(net)), net, super::Rtnl::assume_held());
        }
    }

    extern "C" fn exit_callback(net: *mut bindings::net) {
        // SAFETY: Called once per namespace whose state `init` built; the core frees the slot
        // after we return and nothing else uses it any more.
        unsafe {
            let net = Net::from_raw(net);
            let data = Self::data(net);
            T::exit(Pin::new_unchecked(&*data), net);
            core::ptr::drop_in_place(data);
            // What the state let out of its hands goes now, before the namespace does (this
            // subsystem registered after `/proc/net`'s, so it is dismantled first).
            let scope = ptr::read(ptr::addr_of!((*Self::slot(net)).scope));
            scope.revoke();
        }
    }
}

impl<T: PernetData> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered in `new` (type invariants); the call runs `exit` for every
        // namespace before returning.
        unsafe { bindings::unregister_pernet_subsys(self.ops.get()) };
        T::id().claimed.store(false, Ordering::Release);
    }
}
