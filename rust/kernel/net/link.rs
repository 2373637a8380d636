// SPDX-License-Identifier: GPL-2.0

//! Link types: `rtnl_link_ops`, so that `ip link add NAME type KIND ...` creates devices of a
//! Rust driver, `ip link set` changes them and `ip -d link show` prints their attributes.
//!
//! C header: [`include/net/rtnetlink.h`](srctree/include/net/rtnetlink.h).

use super::{
    device::{self, Device, Driver, DriverDevice},
    namespace::Net,
    netlink::{Attrs, ExtAck, Message, Policy},
    rtnl::{Rtnl, RtnlGuard},
};
use crate::{
    bindings,
    error::{code::*, from_result, to_result, Result},
    prelude::*,
    str::CStr,
    sync::Arc,
    types::Opaque,
};
use core::{
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicBool, Ordering},
};

/// A link type: a [`Driver`] that user space can create with `ip link add ... type KIND`.
///
/// The attribute tables passed to the callbacks are `tb` (the generic `IFLA_*` attributes) and
/// `data` (the kind's own `IFLA_INFO_DATA` attributes, validated against [`LinkType::POLICY`]).
#[vtable]
pub trait LinkType: Driver {
    /// The kind name (`ip link add ... type KIND`).
    const KIND: &'static CStr;

    /// The policy of the kind's own attributes, indexed by attribute type (entry 0 unused).
    const POLICY: &'static [Policy] = &[];

    /// The policy of the per-lower-device (slave) attributes.
    const SLAVE_POLICY: &'static [Policy] = &[];

    /// Checks the attributes of a new or changed link before anything is allocated.
    fn validate(_tb: &Attrs<'_>, _data: &Attrs<'_>, _extack: Option<&mut ExtAck>) -> Result {
        Ok(())
    }

    /// Configures a new device from its attributes (`ip link add ... type KIND ...`).
    ///
    /// The abstraction registers the device first, so the device handed here is a registered
    /// one, which may be counted; if `newlink` fails, the abstraction unregisters it again and
    /// the core frees it once its references are gone. (For a device created over netlink the
    /// core sends no `RTM_NEWLINK` before `newlink` returns, and no `RTM_DELLINK` for one it
    /// unregisters then.)
    fn newlink(
        _dev: &DriverDevice<Self>,
        _rtnl: &Rtnl,
        _src_net: &Net,
        _tb: &Attrs<'_>,
        _data: &Attrs<'_>,
        _extack: Option<&mut ExtAck>,
    ) -> Result {
        Ok(())
    }

    /// `ip link set NAME type KIND ...`.
    fn changelink(
        _dev: &DriverDevice<Self>,
        _rtnl: &Rtnl,
        _tb: &Attrs<'_>,
        _data: &Attrs<'_>,
        _extack: Option<&mut ExtAck>,
    ) -> Result {
        Err(EOPNOTSUPP)
    }

    /// The room [`LinkType::fill_info`] needs.
    fn get_size(_dev: &DriverDevice<Self>) -> usize {
        0
    }

    /// Writes the kind's attributes (`ip -d link show`).
    fn fill_info(_dev: &DriverDevice<Self>, _msg: &mut Message<'_>) -> Result {
        Ok(())
    }

    /// The number of transmit (and receive) queues of new devices.
    fn num_queues() -> u32 {
        1
    }

    /// `ip link set LOWER type KIND_slave ...`.
    fn slave_changelink(
        _dev: &DriverDevice<Self>,
        _rtnl: &Rtnl,
        _lower: &Device,
        _data: &Attrs<'_>,
        _extack: Option<&mut ExtAck>,
    ) -> Result {
        Err(EOPNOTSUPP)
    }

    /// The room [`LinkType::fill_slave_info`] needs.
    fn get_slave_size(_dev: &DriverDevice<Self>, _lower: &Device) -> usize {
        0
    }

    /// Writes a lower device's attributes (`ip -d link show LOWER`).
    fn fill_slave_info(
        _dev: &DriverDevice<Self>,
        _lower: &Device,
        _msg: &mut Message<'_>,
    ) -> Result {
        Ok(())
    }

    /// The room [`LinkType::fill_xstats`] or [`LinkType::fill_slave_xstats`] needs.
    fn xstats_size() -> usize {
        0
    }

    /// Writes a device's extended statistics (`IFLA_STATS_LINK_XSTATS`, `ip -s link xstats
    /// type KIND`). Runs under RTNL.
    fn fill_xstats(_dev: &DriverDevice<Self>, _msg: &mut Message<'_>) -> Result {
        Ok(())
    }

    /// Writes a lower device's extended statistics, as its master `dev` keeps them
    /// (`IFLA_STATS_LINK_XSTATS_SLAVE`). Runs under RTNL.
    fn fill_slave_xstats(_dev: &DriverDevice<Self>, _lower: &Device, _msg: &mut Message<'_>) -> Result {
        Ok(())
    }
}

/// The heap-allocated `rtnl_link_ops` of a link type, shared by its [`Registration`] and
/// its [`Ident`]s so that the address stays unique while any of them exists, with whether
/// the ops are still registered.
struct Shared {
    ops: Opaque<bindings::rtnl_link_ops>,
    /// Cleared under RTNL before the ops are unregistered; read under RTNL.
    registered: AtomicBool,
}
type Ops = Arc<Shared>;

/// A registered link type; unregistering it (on drop) deletes every device of the kind.
///
/// Owned by one place (the module); everyone else holds an [`Ident`], which does not keep the
/// type registered. So the last user to let go never unregisters the type by accident, under
/// RTNL, which `rtnl_link_unregister` takes again (a deadlock).
///
/// # Invariants
///
/// `ops.ops` is registered with `rtnl_link_register` for the life of the value and never moves.
pub struct Registration<T: LinkType> {
    ops: Ops,
    _p: PhantomData<T>,
}

/// A non-owning handle on a link type: recognises its devices, also after (or while) the type
/// is unregistered, and creates devices while it is still registered. It keeps the ops'
/// memory, not their registration, so no other link type can reuse the address meanwhile,
/// and dropping it never unregisters anything.
///
/// # Invariants
///
/// `ops.ops` is (or was) the `rtnl_link_ops` of link type `T`.
pub struct Ident<T: LinkType> {
    ops: Ops,
    _p: PhantomData<T>,
}

impl<T: LinkType> Clone for Ident<T> {
    fn clone(&self) -> Self {
        Self {
            ops: self.ops.clone(),
            _p: PhantomData,
        }
    }
}

// SAFETY: The identity is a pointer compared, never written through.
unsafe impl<T: LinkType> Send for Ident<T> {}
// SAFETY: See above.
unsafe impl<T: LinkType> Sync for Ident<T> {}

impl<T: LinkType> Ident<T> {
    /// `dev` as a device of this link type, if it is one.
    pub fn downcast<'a>(&self, dev: &'a Device) -> Option<&'a DriverDevice<T>> {
        downcast_by(self.ops.ops.get(), dev)
    }

    /// Creates and registers a device of this kind in `net`, as [`Registration::create`]
    /// does; fails with `ENODEV` once the type's [`Registration`] has started to go.
    ///
    /// ```
    /// # use kernel::net::{link::{Ident, LinkType}, namespace::Net, rtnl::RtnlGuard};
    /// fn make<T: LinkType>(kind: &Ident<T>) -> kernel::error::Result {
    ///     let rtnl = RtnlGuard::lock();
    ///     kind.create(&rtnl, Net::init_ns(), kernel::c_str!("x%d")).map(|_| ())
    ///     // `kind` may be dropped here, under RTNL: it does not own the registration.
    /// }
    /// ```
    pub fn create<'a>(&self, rtnl: &'a Rtnl, net: &Net, name: &CStr) -> Result<&'a DriverDevice<T>> {
        create_with::<T>(&self.ops, rtnl, net, name)
    }
}

fn create_with<'a, T: LinkType>(
    ops: &Shared,
    rtnl: &'a Rtnl,
    net: &Net,
    name: &CStr,
) -> Result<&'a DriverDevice<T>> {
    let _ = rtnl;
    // Read under RTNL: `Registration::drop` clears it under RTNL before unregistering, and
    // `rtnl_link_unregister` deletes, under RTNL, every device created before that.
    if !ops.registered.load(Ordering::Relaxed) {
        return Err(ENODEV);
    }
    let q = T::num_queues();
    let dev = device::alloc::<T>(name, bindings::NET_NAME_UNKNOWN as u8, q, q)?;
    // SAFETY: `dev` is freshly allocated and unregistered; RTNL is held. The ops are
    // registered (checked above, under RTNL) and outlive the device: unregistering them
    // deletes every device that uses them first.
    unsafe {
        bindings::dev_net_set(dev, net.as_raw());
        (*dev).rtnl_link_ops = ops.ops.get();
        if let Err(e) = device::register::<T>(dev) {
            device::free_unregistered::<T>(dev);
            return Err(e);
        }
        // The device stays registered until RTNL is next dropped at least, bounding 'a.
        Ok(DriverDevice::from_raw(dev))
    }
}

fn downcast_by<'a, T: LinkType>(
    ops: *mut bindings::rtnl_link_ops,
    dev: &'a Device,
) -> Option<&'a DriverDevice<T>> {
    // SAFETY: `rtnl_link_ops` is a field of the valid device `dev`.
    let dev_ops = unsafe { ptr::read_volatile(ptr::addr_of!((*dev.as_raw()).rtnl_link_ops)) };
    if ptr::eq(dev_ops, ops) {
        // SAFETY: Only devices created through these ops (by `newlink` or `create`) point at
        // them, and those were set up by `T`'s setup. The ops memory is kept alive by the
        // caller's `Registration` or `Ident`, so the address is not another type's.
        Some(unsafe { DriverDevice::from_raw(dev.as_raw()) })
    } else {
        None
    }
}

// SAFETY: The registration only holds a pointer to ops the kernel reads concurrently anyway.
unsafe impl<T: LinkType> Send for Registration<T> {}
// SAFETY: See above; `&Registration` gives no mutable access.
unsafe impl<T: LinkType> Sync for Registration<T> {}

fn max_type(policy: &[Policy]) -> u32 {
    policy.len().saturating_sub(1) as u32
}

impl<T: LinkType> Registration<T> {
    /// Registers the link type. Do not call with RTNL held.
    pub fn new() -> Result<Self> {
        let ops = bindings::rtnl_link_ops {
            kind: T::KIND.as_char_ptr(),
            priv_size: core::mem::size_of::<device::Private<T>>(),
            setup: Some(device::vtable::setup_callback::<T>),
            maxtype: max_type(T::POLICY),
            policy: if T::POLICY.is_empty() {
                ptr::null()
            } else {
                T::POLICY.as_ptr().cast()
            },
            validate: Some(Self::validate),
            newlink: Some(Self::newlink),
            changelink: if T::HAS_CHANGELINK {
                Some(Self::changelink)
            } else {
                None
            },
            get_size: Some(Self::get_size),
            fill_info: Some(Self::fill_info),
            get_num_tx_queues: Some(Self::num_queues),
            get_num_rx_queues: Some(Self::num_queues),
            slave_maxtype: max_type(T::SLAVE_POLICY),
            slave_policy: if T::SLAVE_POLICY.is_empty() {
                ptr::null()
            } else {
                T::SLAVE_POLICY.as_ptr().cast()
            },
            slave_changelink: if T::HAS_SLAVE_CHANGELINK {
                Some(Self::slave_changelink)
            } else {
                None
            },
            get_slave_size: if T::HAS_GET_SLAVE_SIZE {
                Some(Self::get_slave_size)
            } else {
                None
            },
            fill_slave_info: if T::HAS_FILL_SLAVE_INFO {
                Some(Self::fill_slave_info)
            } else {
                None
            },
            fill_linkxstats: if T::HAS_FILL_XSTATS || T::HAS_FILL_SLAVE_XSTATS {
                Some(Self::fill_linkxstats)
            } else {
                None
            },
            get_linkxstats_size: if T::HAS_XSTATS_SIZE {
                Some(Self::get_linkxstats_size)
            } else {
                None
            },
            // SAFETY: The remaining fields (list head, optional callbacks) are valid zeroed.
            ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
        };
        let ops: Ops = Arc::new(
            Shared {
                ops: Opaque::new(ops),
                registered: AtomicBool::new(true),
            },
            GFP_KERNEL,
        )?;
        // SAFETY: `ops` is fully initialised, pinned, and lives until `Drop` unregisters it.
        to_result(unsafe { bindings::rtnl_link_register(ops.ops.get()) })?;
        // INVARIANT: Registered just above.
        Ok(Self {
            ops,
            _p: PhantomData,
        })
    }

    fn ops_ptr(&self) -> *mut bindings::rtnl_link_ops {
        self.ops.ops.get()
    }

    /// Creates and registers a device of this kind in `net` (as `echo +NAME >
    /// /sys/class/net/bonding_masters` does). `name` may contain `%d`.
    ///
    /// The device belongs to the networking core; delete it with
    /// [`DriverDevice::unregister`] or `ip link del`.
    pub fn create<'a>(
        &self,
        rtnl: &'a Rtnl,
        net: &Net,
        name: &CStr,
    ) -> Result<&'a DriverDevice<T>> {
        create_with::<T>(&self.ops, rtnl, net, name)
    }

    /// `dev` as a device of this link type, if it is one.
    pub fn downcast<'a>(&self, dev: &'a Device) -> Option<&'a DriverDevice<T>> {
        downcast_by(self.ops_ptr(), dev)
    }

    /// An [`Ident`] that recognises this type's devices for as long as it lives.
    pub fn ident(&self) -> Ident<T> {
        Ident {
            ops: self.ops.clone(),
            _p: PhantomData,
        }
    }

    /// # Safety
    ///
    /// `dev` must be a device of this link type, alive for `'a`.
    unsafe fn dev<'a>(dev: *const bindings::net_device) -> &'a DriverDevice<T> {
        // SAFETY: Guaranteed by the caller.
        unsafe { DriverDevice::from_raw(dev.cast_mut()) }
    }

    /// # Safety
    ///
    /// `data` must be NULL or the parsed table of this kind's attributes.
    unsafe fn data<'a>(data: *mut *mut bindings::nlattr) -> Attrs<'a> {
        // SAFETY: Guaranteed by the caller: the core sizes it `maxtype + 1`.
        unsafe { Attrs::from_raw(data, max_type(T::POLICY) as usize) }
    }

    /// # Safety
    ///
    /// `tb` must be NULL or the parsed table of `IFLA_*` attributes.
    unsafe fn tb<'a>(tb: *mut *mut bindings::nlattr) -> Attrs<'a> {
        // SAFETY: Guaranteed by the caller: the core sizes it `IFLA_MAX + 1`.
        unsafe { Attrs::from_raw(tb, bindings::__IFLA_MAX as usize - 1) }
    }

    extern "C" fn validate(
        tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: The core passes its parsed tables and a valid or NULL extack.
            unsafe { T::validate(&Self::tb(tb), &Self::data(data), ExtAck::from_raw_opt(extack)) }?;
            Ok(0)
        })
    }

    extern "C" fn newlink(
        src_net: *mut bindings::net,
        dev: *mut bindings::net_device,
        tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `newlink` runs under RTNL with a device set up by `T`'s setup, not yet
            // registered. On failure `register` has dropped the private value (or left it to
            // `priv_destructor`), and the core frees the device.
            unsafe { device::register::<T>(dev) }?;
            // SAFETY: Registered just above, under RTNL; the tables are the core's parsed ones.
            let r = unsafe {
                let rtnl = Rtnl::assume_held();
                T::newlink(
                    Self::dev(dev),
                    rtnl,
                    Net::from_raw(src_net),
                    &Self::tb(tb),
                    &Self::data(data),
                    ExtAck::from_raw_opt(extack),
                )
            };
            if let Err(e) = r {
                // Undo the registration. The device is `NETREG_UNREGISTERING` when the core's
                // `free_netdev` sees it, so that only marks it to be freed by
                // `netdev_run_todo`, after every reference is gone (and `priv_destructor`).
                // SAFETY: RTNL is held and the device is registered.
                unsafe { bindings::unregister_netdevice_queue(dev, ptr::null_mut()) };
                return Err(e);
            }
            Ok(0)
        })
    }

    extern "C" fn changelink(
        dev: *mut bindings::net_device,
        tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `changelink` runs under RTNL on a registered device of this kind.
            unsafe {
                T::changelink(
                    Self::dev(dev),
                    Rtnl::assume_held(),
                    &Self::tb(tb),
                    &Self::data(data),
                    ExtAck::from_raw_opt(extack),
                )
            }?;
            Ok(0)
        })
    }

    extern "C" fn get_size(dev: *const bindings::net_device) -> usize {
        // SAFETY: The core passes a live device of this kind.
        T::get_size(unsafe { Self::dev(dev) })
    }

    extern "C" fn fill_info(
        skb: *mut bindings::sk_buff,
        dev: *const bindings::net_device,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: The core passes a message being built and a live device of this kind.
            let (dev, mut msg) = unsafe { (Self::dev(dev), Message::from_raw(skb)) };
            T::fill_info(dev, &mut msg)?;
            Ok(0)
        })
    }

    extern "C" fn num_queues() -> core::ffi::c_uint {
        T::num_queues()
    }

    extern "C" fn slave_changelink(
        dev: *mut bindings::net_device,
        lower: *mut bindings::net_device,
        _tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: Runs under RTNL; `dev` is the lower device's master of this kind and
            // `data` is the table parsed with the slave policy.
            unsafe {
                T::slave_changelink(
                    Self::dev(dev),
                    Rtnl::assume_held(),
                    Device::from_raw(lower),
                    &Attrs::from_raw(data, max_type(T::SLAVE_POLICY) as usize),
                    ExtAck::from_raw_opt(extack),
                )
            }?;
            Ok(0)
        })
    }

    extern "C" fn get_slave_size(
        dev: *const bindings::net_device,
        lower: *const bindings::net_device,
    ) -> usize {
        // SAFETY: The core passes live devices; `dev` is of this kind.
        unsafe { T::get_slave_size(Self::dev(dev), Device::from_raw(lower.cast_mut())) }
    }

    extern "C" fn fill_slave_info(
        skb: *mut bindings::sk_buff,
        dev: *const bindings::net_device,
        lower: *const bindings::net_device,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: As in `fill_info`; `lower` is live for the call.
            unsafe {
                T::fill_slave_info(
                    Self::dev(dev),
                    Device::from_raw(lower.cast_mut()),
                    &mut Message::from_raw(skb),
                )
            }?;
            Ok(0)
        })
    }
}

impl<T: LinkType> Registration<T> {
    extern "C" fn get_linkxstats_size(_dev: *const bindings::net_device, attr: core::ffi::c_int) -> usize {
        match attr as u32 {
            bindings::IFLA_STATS_LINK_XSTATS | bindings::IFLA_STATS_LINK_XSTATS_SLAVE => T::xstats_size(),
            _ => 0,
        }
    }

    /// For `IFLA_STATS_LINK_XSTATS`, `dev` is a device of this kind; for
    /// `IFLA_STATS_LINK_XSTATS_SLAVE`, a device whose master is one (the core found these
    /// ops through it).
    extern "C" fn fill_linkxstats(
        skb: *mut bindings::sk_buff,
        dev: *const bindings::net_device,
        _prividx: *mut core::ffi::c_int,
        attr: core::ffi::c_int,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: The core passes a message being built, under RTNL.
            let mut msg = unsafe { Message::from_raw(skb) };
            match attr as u32 {
                bindings::IFLA_STATS_LINK_XSTATS => {
                    // SAFETY: For this attribute the core passes a live device of this kind.
                    T::fill_xstats(unsafe { Self::dev(dev) }, &mut msg)?;
                }
                bindings::IFLA_STATS_LINK_XSTATS_SLAVE => {
                    // SAFETY: RTNL is held (`RTM_GETSTATS` runs under it), so the master the
                    // core just looked up is still `dev`'s and alive for the call; its ops are
                    // these, so it is of this kind.
                    let master = unsafe { bindings::netdev_master_upper_dev_get(dev.cast_mut()) };
                    if master.is_null() {
                        return Ok(0);
                    }
                    // SAFETY: As above; `dev` is live for the call.
                    let (master, lower) = unsafe { (Self::dev(master), Device::from_raw(dev.cast_mut())) };
                    T::fill_slave_xstats(master, lower, &mut msg)?;
                }
                _ => return Err(EINVAL),
            }
            Ok(0)
        })
    }
}

impl<T: LinkType> Drop for Registration<T> {
    fn drop(&mut self) {
        // From here on no `Ident` creates a device: the ones created before are deleted by
        // the unregister below. Not under RTNL here: `rtnl_link_unregister` takes it.
        {
            let _rtnl = RtnlGuard::lock();
            self.ops.registered.store(false, Ordering::Relaxed);
        }
        // SAFETY: Registered by `new` (type invariants). `rtnl_link_unregister` deletes every
        // device of the kind, in every namespace, before returning, so nothing uses the ops
        // once it returns.
        unsafe { bindings::rtnl_link_unregister(self.ops.ops.get()) };
    }
}
