// SPDX-License-Identifier: GPL-2.0

//! The C callback tables (`net_device_ops`, `ethtool_ops`) built from a [`Driver`].
//!
//! Each `extern "C"` function here turns the raw arguments the core passes into the safe types
//! of [`super`] and calls the driver. Only the operations the driver implements are filled in
//! (`#[vtable]`'s `HAS_*` constants), so the core's defaults apply to the rest.

use super::{
    super::{ethtool, netlink::ExtAck, rtnl::Rtnl, skb::SkBuff},
    AddrListsLocked, Device, Driver, DriverDevice, Features, HwAddr, Private, RxFlagsContext,
    Setup, Stats64, Unregistered, VlanProto,
};
use crate::{
    bindings,
    error::from_result,
    init::PinInit,
    sync::{lock::spinlock_bh::SoftirqsOff, rcu},
};
use core::{marker::PhantomData, ptr};

/// Builds the C tables for driver `T`.
pub(crate) struct Adapter<T: Driver>(PhantomData<T>);

impl<T: Driver> Adapter<T> {
    const NETDEV_OPS: bindings::net_device_ops = bindings::net_device_ops {
        ndo_init: Some(Self::ndo_init),
        ndo_uninit: Some(Self::ndo_uninit),
        ndo_open: Some(Self::ndo_open),
        ndo_stop: Some(Self::ndo_stop),
        ndo_start_xmit: Some(Self::ndo_start_xmit),
        ndo_get_stats64: if T::HAS_GET_STATS64 {
            Some(Self::ndo_get_stats64)
        } else {
            None
        },
        ndo_set_mac_address: if T::HAS_SET_MAC_ADDRESS {
            Some(Self::ndo_set_mac_address)
        } else {
            None
        },
        ndo_change_mtu: if T::HAS_CHANGE_MTU {
            Some(Self::ndo_change_mtu)
        } else {
            None
        },
        ndo_set_rx_mode: if T::HAS_SET_RX_MODE {
            Some(Self::ndo_set_rx_mode)
        } else {
            None
        },
        ndo_change_rx_flags: if T::HAS_CHANGE_RX_FLAGS {
            Some(Self::ndo_change_rx_flags)
        } else {
            None
        },
        ndo_add_slave: if T::HAS_ADD_SLAVE {
            Some(Self::ndo_add_slave)
        } else {
            None
        },
        ndo_del_slave: if T::HAS_DEL_SLAVE {
            Some(Self::ndo_del_slave)
        } else {
            None
        },
        ndo_fix_features: if T::HAS_FIX_FEATURES {
            Some(Self::ndo_fix_features)
        } else {
            None
        },
        ndo_get_xmit_slave: if T::HAS_GET_XMIT_SLAVE {
            Some(Self::ndo_get_xmit_slave)
        } else {
            None
        },
        ndo_select_queue: if T::HAS_SELECT_QUEUE {
            Some(Self::ndo_select_queue)
        } else {
            None
        },
        ndo_vlan_rx_add_vid: if T::HAS_VLAN_RX_ADD_VID {
            Some(Self::ndo_vlan_rx_add_vid)
        } else {
            None
        },
        ndo_vlan_rx_kill_vid: if T::HAS_VLAN_RX_KILL_VID {
            Some(Self::ndo_vlan_rx_kill_vid)
        } else {
            None
        },
        ndo_features_check: if T::FEATURES_PASSTHRU {
            Some(bindings::passthru_features_check)
        } else {
            None
        },
        ndo_validate_addr: Some(bindings::eth_validate_addr),
        // SAFETY: The remaining fields are optional function pointers, for which NULL (all
        // zeroes) means "not implemented".
        ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
    };

    const ETHTOOL_OPS: bindings::ethtool_ops = bindings::ethtool_ops {
        get_drvinfo: Some(Self::get_drvinfo),
        get_link: Some(bindings::ethtool_op_get_link),
        get_link_ksettings: if T::HAS_GET_LINK_KSETTINGS {
            Some(Self::get_link_ksettings)
        } else {
            None
        },
        // SAFETY: As above: the remaining fields are optional callbacks or zero flags.
        ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
    };

    /// Link-layer header operations that delegate to [`Driver::header_lower`]'s device,
    /// installed by [`DriverDevice::adopt_link_layer`].
    const HEADER_OPS: bindings::header_ops = bindings::header_ops {
        create: Some(Self::header_create),
        parse: Some(Self::header_parse),
        // SAFETY: The remaining fields are optional callbacks, for which NULL means none.
        ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
    };

    /// The delegating `header_ops` of devices of driver `T`.
    pub(crate) fn header_ops() -> &'static bindings::header_ops {
        &Self::HEADER_OPS
    }

    /// The `net_device_ops` of every device of driver `T`.
    pub(crate) fn netdev_ops() -> &'static bindings::net_device_ops {
        &Self::NETDEV_OPS
    }

    /// The `ethtool_ops` of every device of driver `T`.
    pub(crate) fn ethtool_ops() -> &'static bindings::ethtool_ops {
        &Self::ETHTOOL_OPS
    }

    /// # Safety
    ///
    /// `dev` must be a device of driver `T` that the core keeps alive during the callback.
    unsafe fn dev<'a>(dev: *mut bindings::net_device) -> &'a DriverDevice<T> {
        // SAFETY: Guaranteed by the caller.
        unsafe { DriverDevice::from_raw(dev) }
    }

    extern "C" fn ndo_init(dev: *mut bindings::net_device) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: The core calls `ndo_init` with RTNL held on a device of this driver,
            // which it is registering.
            let (dev, rtnl) = unsafe { (Unregistered::from_raw(dev), Rtnl::assume_held()) };
            T::init(dev, rtnl)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_uninit(dev: *mut bindings::net_device) {
        // SAFETY: `reg_state` is a field of the valid device, written under RTNL, which the
        // core holds for `ndo_uninit`.
        let state = unsafe { (*dev).reg_state };
        // A registration that failed (`err_uninit` in `register_netdevice`: the device is still
        // `NETREG_UNINITIALIZED`, or `NETREG_UNREGISTERED` when its kobject failed) is freed
        // without waiting for references, so no `&DriverDevice` may exist then; only a device
        // being unregistered, whose references the core waits for, reaches `T::uninit`.
        if u32::from(state) != bindings::netdev_reg_state_NETREG_UNREGISTERING {
            return;
        }
        // SAFETY: The core calls `ndo_uninit` with RTNL held on a device of this driver.
        let (dev, rtnl) = unsafe { (Self::dev(dev), Rtnl::assume_held()) };
        T::uninit(dev, rtnl);
    }

    extern "C" fn ndo_open(dev: *mut bindings::net_device) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `ndo_open` runs under RTNL on a device of this driver.
            let (dev, rtnl) = unsafe { (Self::dev(dev), Rtnl::assume_held()) };
            T::open(dev, rtnl)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_stop(dev: *mut bindings::net_device) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `ndo_stop` runs under RTNL on a device of this driver.
            let (dev, rtnl) = unsafe { (Self::dev(dev), Rtnl::assume_held()) };
            T::stop(dev, rtnl)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_start_xmit(
        skb: *mut bindings::sk_buff,
        dev: *mut bindings::net_device,
    ) -> bindings::netdev_tx_t {
        // SAFETY: The core hands over ownership of `skb`; `setup_callback` cleared
        // `IFF_TX_SKB_SHARING`, so the skb is not shared with the sender.
        let skb = unsafe { SkBuff::from_raw(skb) };
        // SAFETY: The core calls `ndo_start_xmit` with bottom halves disabled (the queue path,
        // pktgen, `dev_direct_xmit`) or interrupts disabled (netpoll): an RCU read-side
        // critical section that lasts until the callback returns, after `rcu` is dropped.
        let rcu = unsafe { rcu::Held::assume() };
        // SAFETY: As above: bottom halves or interrupts are off until the callback returns,
        // after `bh` is dropped.
        let bh = unsafe { SoftirqsOff::assume() };
        // SAFETY: The device is alive while it transmits.
        T::start_xmit(unsafe { Self::dev(dev) }, skb, &rcu, &bh);
        bindings::netdev_tx_NETDEV_TX_OK
    }

    extern "C" fn ndo_get_stats64(
        dev: *mut bindings::net_device,
        stats: *mut bindings::rtnl_link_stats64,
    ) {
        // SAFETY: The core passes a live device and a zeroed, exclusively owned stats buffer.
        let (dev, stats) = unsafe { (Self::dev(dev), Stats64::from_raw(stats)) };
        T::get_stats64(dev, stats);
    }

    extern "C" fn ndo_set_mac_address(
        dev: *mut bindings::net_device,
        addr: *mut core::ffi::c_void,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `ndo_set_mac_address` runs under RTNL on a device of this driver.
            let (dev, rtnl) = unsafe { (Self::dev(dev), Rtnl::assume_held()) };
            let len = usize::from(dev.addr_len());
            // SAFETY: `addr` is a `struct sockaddr` whose data holds at least `addr_len` bytes
            // (the core checks the length against `dev->addr_len` before calling).
            let bytes = unsafe {
                let sa = addr.cast::<bindings::sockaddr>();
                core::slice::from_raw_parts(ptr::addr_of!((*sa).__bindgen_anon_1).cast::<u8>(), len)
            };
            let addr = HwAddr::new(bytes).ok_or(crate::error::code::EINVAL)?;
            T::set_mac_address(dev, rtnl, &addr)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_change_mtu(
        dev: *mut bindings::net_device,
        new_mtu: core::ffi::c_int,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `ndo_change_mtu` runs under RTNL on a device of this driver.
            let (dev, rtnl) = unsafe { (Self::dev(dev), Rtnl::assume_held()) };
            let mtu = u32::try_from(new_mtu).map_err(|_| crate::error::code::EINVAL)?;
            T::change_mtu(dev, rtnl, mtu)?;
            dev.store_mtu(rtnl, mtu);
            Ok(0)
        })
    }

    extern "C" fn ndo_set_rx_mode(dev: *mut bindings::net_device) {
        // SAFETY: The core calls this on a live device of this driver, with the device's
        // address list lock held for the whole call (`__dev_set_rx_mode` callers).
        let (dev, locked) = unsafe { (Self::dev(dev), AddrListsLocked::assume_held(Self::dev(dev))) };
        T::set_rx_mode(dev, &locked);
    }

    extern "C" fn ndo_change_rx_flags(dev: *mut bindings::net_device, change: core::ffi::c_int) {
        // SAFETY: The core calls this on a live device of this driver.
        let dev = unsafe { Self::dev(dev) };
        let ctx = if dev.priv_flags() & super::priv_flags::UNICAST_FLT != 0 {
            // SAFETY: With `IFF_UNICAST_FLT`, `__dev_set_rx_mode` never changes promiscuity,
            // so the only callers are `__dev_set_promiscuity`/`__dev_set_allmulti` from
            // `dev_set_promiscuity`/`dev_set_allmulti`/`__dev_change_flags`, under RTNL
            // (asserted there) in process context.
            RxFlagsContext::Rtnl(unsafe { Rtnl::assume_held() })
        } else {
            RxFlagsContext::MaybeAtomic
        };
        T::change_rx_flags(dev, ctx, change as u32);
    }

    extern "C" fn ndo_add_slave(
        dev: *mut bindings::net_device,
        lower: *mut bindings::net_device,
        extack: *mut bindings::netlink_ext_ack,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `ndo_add_slave` runs under RTNL; both devices are alive for the call and
            // `extack` is NULL or valid.
            let (dev, rtnl, lower, extack) = unsafe {
                (
                    Self::dev(dev),
                    Rtnl::assume_held(),
                    super::Device::from_raw(lower),
                    ExtAck::from_raw_opt(extack),
                )
            };
            T::add_slave(dev, rtnl, lower, extack)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_del_slave(
        dev: *mut bindings::net_device,
        lower: *mut bindings::net_device,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: `ndo_del_slave` runs under RTNL; both devices are alive for the call.
            let (dev, rtnl, lower) =
                unsafe { (Self::dev(dev), Rtnl::assume_held(), super::Device::from_raw(lower)) };
            T::del_slave(dev, rtnl, lower)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_fix_features(
        dev: *mut bindings::net_device,
        features: bindings::netdev_features_t,
    ) -> bindings::netdev_features_t {
        // SAFETY: `ndo_fix_features` runs under RTNL on a device of this driver, whose
        // private data is live from setup until `priv_destructor`.
        let (data, rtnl) = unsafe { (Self::dev(dev).data(), Rtnl::assume_held()) };
        T::fix_features(data, rtnl, Features(features)).0
    }

    extern "C" fn ndo_vlan_rx_add_vid(
        dev: *mut bindings::net_device,
        proto: bindings::__be16,
        vid: u16,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: The 8021q core calls this under RTNL on a device of this driver.
            let (dev, rtnl) = unsafe { (Self::dev(dev), Rtnl::assume_held()) };
            T::vlan_rx_add_vid(dev, rtnl, VlanProto(proto), vid)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_vlan_rx_kill_vid(
        dev: *mut bindings::net_device,
        proto: bindings::__be16,
        vid: u16,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: As in `ndo_vlan_rx_add_vid`.
            let (dev, rtnl) = unsafe { (Self::dev(dev), Rtnl::assume_held()) };
            T::vlan_rx_kill_vid(dev, rtnl, VlanProto(proto), vid)?;
            Ok(0)
        })
    }

    extern "C" fn ndo_select_queue(
        dev: *mut bindings::net_device,
        skb: *mut bindings::sk_buff,
        sb_dev: *mut bindings::net_device,
    ) -> u16 {
        // SAFETY: The device is alive while it transmits; `skb` is only borrowed, and the
        // subordinate device, if any, is alive for the call.
        let (dev, skb, sb_dev) = unsafe {
            (
                Self::dev(dev),
                SkBuff::borrow_raw(skb),
                (!sb_dev.is_null()).then(|| Device::from_raw(sb_dev)),
            )
        };
        T::select_queue(dev, &skb, sb_dev)
    }

    extern "C" fn header_create(
        skb: *mut bindings::sk_buff,
        dev: *mut bindings::net_device,
        type_: core::ffi::c_ushort,
        daddr: *const core::ffi::c_void,
        saddr: *const core::ffi::c_void,
        len: core::ffi::c_uint,
    ) -> core::ffi::c_int {
        let rcu = rcu::read_lock();
        // SAFETY: These header ops are installed only on devices of driver `T`, which are
        // alive while they build headers.
        let dev = unsafe { Self::dev(dev) };
        let Some(lower) = T::header_lower(dev, &rcu) else {
            return 0;
        };
        // SAFETY: The lower device is valid under `rcu`; its header ops, if any, are valid
        // for its lifetime and get their own device, as `bond_header_create` passes it.
        unsafe {
            let ops = ptr::read_volatile(ptr::addr_of!((*lower.as_raw()).header_ops));
            match ops.as_ref().and_then(|o| o.create) {
                Some(create) => create(skb, lower.as_raw(), type_, daddr, saddr, len),
                None => 0,
            }
        }
    }

    extern "C" fn header_parse(
        skb: *const bindings::sk_buff,
        dev: *const bindings::net_device,
        haddr: *mut u8,
    ) -> core::ffi::c_int {
        let rcu = rcu::read_lock();
        // SAFETY: As in `header_create`.
        let dev = unsafe { Self::dev(dev.cast_mut()) };
        let Some(lower) = T::header_lower(dev, &rcu) else {
            return 0;
        };
        // SAFETY: As in `header_create`.
        unsafe {
            let ops = ptr::read_volatile(ptr::addr_of!((*lower.as_raw()).header_ops));
            match ops.as_ref().and_then(|o| o.parse) {
                Some(parse) => parse(skb, lower.as_raw(), haddr),
                None => 0,
            }
        }
    }

    extern "C" fn ndo_get_xmit_slave(
        dev: *mut bindings::net_device,
        skb: *mut bindings::sk_buff,
        all_slaves: bool,
    ) -> *mut bindings::net_device {
        // The caller holds an RCU read-side section; nest one so the driver gets a guard.
        let rcu = rcu::read_lock();
        // SAFETY: The device is alive for the call; `skb` is only borrowed.
        let (dev, skb) = unsafe { (Self::dev(dev), SkBuff::borrow_raw(skb)) };
        let lower = T::get_xmit_slave(dev, &skb, all_slaves, &rcu);
        // The caller's own RCU section keeps the returned device valid after ours ends.
        lower.map_or(ptr::null_mut(), |l| l.as_raw())
    }

    extern "C" fn get_drvinfo(dev: *mut bindings::net_device, info: *mut bindings::ethtool_drvinfo) {
        // SAFETY: The core passes a live device and a zeroed, exclusively owned `info`.
        let (dev, info) = unsafe { (Self::dev(dev), ethtool::DrvInfo::from_raw(info)) };
        T::get_drvinfo(dev, info);
    }

    extern "C" fn get_link_ksettings(
        dev: *mut bindings::net_device,
        ks: *mut bindings::ethtool_link_ksettings,
    ) -> core::ffi::c_int {
        from_result(|| {
            // SAFETY: ethtool operations run under RTNL; `ks` is exclusively ours for the call.
            let (dev, rtnl, ks) = unsafe {
                (Self::dev(dev), Rtnl::assume_held(), ethtool::LinkKsettings::from_raw(ks))
            };
            T::get_link_ksettings(dev, rtnl, ks)?;
            Ok(0)
        })
    }

    /// `dev->priv_destructor`: drops the private data once the device is unreferenced.
    extern "C" fn priv_destructor(dev: *mut bindings::net_device) {
        // SAFETY: The core calls this once all references are gone (or when registration is
        // undone), so nothing else accesses the private area.
        unsafe { Private::<T>::drop_value(Private::<T>::of(dev)) };
    }
}

/// The `setup` function passed to `alloc_netdev_mqs` and `rtnl_link_ops::setup`.
///
/// # Safety
///
/// Called by the core with a freshly allocated device whose zeroed private area has room for a
/// `Private<T>`.
pub(crate) unsafe extern "C" fn setup_callback<T: Driver>(dev: *mut bindings::net_device) {
    // SAFETY: The device is freshly allocated and exclusively ours.
    unsafe {
        (*dev).netdev_ops = Adapter::<T>::netdev_ops();
        (*dev).ethtool_ops = Adapter::<T>::ethtool_ops();
        (*dev).priv_destructor = Some(Adapter::<T>::priv_destructor);
        bindings::netdev_set_needs_free(dev);
    }
    // SAFETY: As above.
    let mut setup = unsafe { Setup::new(dev) };
    let init = T::setup(&mut setup);
    // Transmit gets an exclusively owned skb (see `ndo_start_xmit`): refuse shared ones.
    // SAFETY: The device is still exclusively ours.
    unsafe {
        let f = bindings::netdev_priv_flags_get(dev);
        bindings::netdev_priv_flags_set(dev, f & !super::priv_flags::TX_SKB_SHARING);
    }
    // SAFETY: The private area is zeroed (so `live` is false), suitably aligned
    // (`Private::ALIGN_OK`) and never moves; the initialiser cannot fail.
    unsafe {
        let private = Private::<T>::of(dev);
        match init.__pinned_init((*private).value.as_mut_ptr()) {
            Ok(()) => (*private).live = true,
            Err(e) => match e {},
        }
    }
}
