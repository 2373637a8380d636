// SPDX-License-Identifier: GPL-2.0

//! Netdevice notifiers: events about any network device (`register_netdevice_notifier`).
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h), `enum netdev_cmd`.

use super::{device::Device, rtnl::Rtnl};
use crate::{
    alloc::KBox,
    bindings,
    error::{to_result, Error, Result},
    prelude::*,
    types::Opaque,
};
use core::pin::Pin;

macro_rules! events {
    ($($variant:ident = $c:ident),* $(,)?) => {
        /// A netdevice event (`NETDEV_*`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Event {
            $(
                #[doc = concat!("`", stringify!($c), "`.")]
                $variant,
            )*
            /// Any other event, by number.
            Other(u64),
        }

        impl Event {
            /// The event for a raw `NETDEV_*` value.
            pub fn from_raw(raw: u64) -> Self {
                $(if raw == bindings::$c as u64 { return Event::$variant; })*
                Event::Other(raw)
            }

            /// The raw `NETDEV_*` value.
            pub fn to_raw(self) -> crate::ffi::c_ulong {
                match self {
                    $(Event::$variant => bindings::$c as crate::ffi::c_ulong,)*
                    Event::Other(raw) => raw as crate::ffi::c_ulong,
                }
            }
        }
    };
}

events! {
    Up = netdev_cmd_NETDEV_UP,
    Down = netdev_cmd_NETDEV_DOWN,
    Reboot = netdev_cmd_NETDEV_REBOOT,
    Change = netdev_cmd_NETDEV_CHANGE,
    Register = netdev_cmd_NETDEV_REGISTER,
    Unregister = netdev_cmd_NETDEV_UNREGISTER,
    ChangeMtu = netdev_cmd_NETDEV_CHANGEMTU,
    ChangeAddr = netdev_cmd_NETDEV_CHANGEADDR,
    PreChangeAddr = netdev_cmd_NETDEV_PRE_CHANGEADDR,
    GoingDown = netdev_cmd_NETDEV_GOING_DOWN,
    ChangeName = netdev_cmd_NETDEV_CHANGENAME,
    FeatChange = netdev_cmd_NETDEV_FEAT_CHANGE,
    BondingFailover = netdev_cmd_NETDEV_BONDING_FAILOVER,
    PreUp = netdev_cmd_NETDEV_PRE_UP,
    PreTypeChange = netdev_cmd_NETDEV_PRE_TYPE_CHANGE,
    PostTypeChange = netdev_cmd_NETDEV_POST_TYPE_CHANGE,
    PostInit = netdev_cmd_NETDEV_POST_INIT,
    PreUninit = netdev_cmd_NETDEV_PRE_UNINIT,
    Release = netdev_cmd_NETDEV_RELEASE,
    NotifyPeers = netdev_cmd_NETDEV_NOTIFY_PEERS,
    Join = netdev_cmd_NETDEV_JOIN,
    ChangeUpper = netdev_cmd_NETDEV_CHANGEUPPER,
    ResendIgmp = netdev_cmd_NETDEV_RESEND_IGMP,
    PreChangeMtu = netdev_cmd_NETDEV_PRECHANGEMTU,
    ChangeInfoData = netdev_cmd_NETDEV_CHANGEINFODATA,
    BondingInfo = netdev_cmd_NETDEV_BONDING_INFO,
    PreChangeUpper = netdev_cmd_NETDEV_PRECHANGEUPPER,
    ChangeLowerState = netdev_cmd_NETDEV_CHANGELOWERSTATE,
}

/// The netdevice events a driver may send about a device itself, with
/// [`Device::notify`](super::device::Device::notify): announcements of what the driver did
/// (a failover, a new address, a type change), never the core's life-cycle events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriverEvent {
    /// `NETDEV_CHANGEADDR`: the driver changed the hardware address.
    ChangeAddr,
    /// `NETDEV_BONDING_FAILOVER`.
    BondingFailover,
    /// `NETDEV_NOTIFY_PEERS`: ask for gratuitous ARP / unsolicited NA.
    NotifyPeers,
    /// `NETDEV_RESEND_IGMP`: ask for multicast membership reports.
    ResendIgmp,
    /// `NETDEV_CHANGEINFODATA`: the link's info data (`IFLA_INFO_DATA`) changed.
    ChangeInfoData,
    /// `NETDEV_JOIN`: a lower device joined this upper device.
    Join,
    /// `NETDEV_RELEASE`: a lower device left.
    Release,
    /// `NETDEV_PRE_TYPE_CHANGE`: the device is about to change type (may be vetoed).
    PreTypeChange,
    /// `NETDEV_POST_TYPE_CHANGE`: the device changed type.
    PostTypeChange,
}

impl DriverEvent {
    /// The same event as an [`Event`].
    pub fn event(self) -> Event {
        match self {
            DriverEvent::ChangeAddr => Event::ChangeAddr,
            DriverEvent::BondingFailover => Event::BondingFailover,
            DriverEvent::NotifyPeers => Event::NotifyPeers,
            DriverEvent::ResendIgmp => Event::ResendIgmp,
            DriverEvent::ChangeInfoData => Event::ChangeInfoData,
            DriverEvent::Join => Event::Join,
            DriverEvent::Release => Event::Release,
            DriverEvent::PreTypeChange => Event::PreTypeChange,
            DriverEvent::PostTypeChange => Event::PostTypeChange,
        }
    }

    /// The raw `NETDEV_*` value.
    pub fn to_raw(self) -> crate::ffi::c_ulong {
        self.event().to_raw()
    }
}

/// A notifier's answer.
#[derive(Clone, Copy, Debug)]
pub enum NotifyResult {
    /// Not interested (`NOTIFY_DONE`).
    Done,
    /// Handled (`NOTIFY_OK`).
    Ok,
    /// Veto the change with an error (`notifier_from_errno`), for `PRE_*` events.
    Bad(Error),
}

/// Receives netdevice events.
pub trait Notifier: Send + Sync + 'static {
    /// Called for every event on every device in every namespace, with RTNL held.
    fn event(&self, rtnl: &Rtnl, event: Event, dev: &Device) -> NotifyResult;
}

#[repr(C)]
#[pin_data]
struct Block<T> {
    #[pin]
    nb: Opaque<bindings::notifier_block>,
    #[pin]
    data: T,
}

/// A registered netdevice notifier.
///
/// Registering replays `REGISTER` and `UP` for existing devices; unregistering (on drop)
/// replays `GOING_DOWN`, `DOWN` and `UNREGISTER`. Both take RTNL: do not drop the registration
/// with RTNL held.
///
/// # Invariants
///
/// `block.nb` is registered for the life of the value; `block` never moves.
pub struct Registration<T: Notifier> {
    block: Pin<KBox<Block<T>>>,
}

// SAFETY: The kernel only touches the notifier block under its own notifier-chain lock; `T` is
// `Send + Sync`.
unsafe impl<T: Notifier> Send for Registration<T> {}
// SAFETY: `&Registration` only exposes `&T`, and `T: Sync`.
unsafe impl<T: Notifier> Sync for Registration<T> {}

impl<T: Notifier> Registration<T> {
    /// Registers a notifier whose data `data` initialises in place (it may be pinned).
    pub fn new(data: impl PinInit<T, Error>) -> Result<Self> {
        let block = KBox::try_pin_init(
            try_pin_init!(Block {
                // SAFETY: All-zero is a valid `notifier_block` apart from the callback, set
                // right after.
                nb <- Opaque::ffi_init(|nb: *mut bindings::notifier_block| unsafe {
                    core::ptr::write_bytes(nb, 0, 1);
                    (*nb).notifier_call = Some(Self::callback);
                }),
                data <- data,
            }? Error),
            GFP_KERNEL,
        )?;
        // SAFETY: The block is pinned and lives until `drop` unregisters it.
        to_result(unsafe { bindings::register_netdevice_notifier(block.nb.get()) })?;
        // INVARIANT: Registered just above.
        Ok(Self { block })
    }

    /// The notifier's data.
    pub fn data(&self) -> &T {
        &self.block.data
    }

    extern "C" fn callback(
        nb: *mut bindings::notifier_block,
        event: crate::ffi::c_ulong,
        ptr: *mut core::ffi::c_void,
    ) -> core::ffi::c_int {
        // SAFETY: `nb` is the first field of a `#[repr(C)]` `Block<T>` registered by `new`;
        // netdevice notifiers run under RTNL with a `netdev_notifier_info` for a live device.
        let (block, rtnl, dev) = unsafe {
            (
                &*nb.cast::<Block<T>>(),
                Rtnl::assume_held(),
                Device::from_raw(bindings::netdev_notifier_info_to_dev(ptr.cast())),
            )
        };
        match block.data.event(rtnl, Event::from_raw(event as u64), dev) {
            NotifyResult::Done => bindings::NOTIFY_DONE as i32,
            NotifyResult::Ok => bindings::NOTIFY_OK as i32,
            NotifyResult::Bad(e) => {
                (bindings::NOTIFY_STOP_MASK as i32) | (bindings::NOTIFY_OK as i32 - e.to_errno())
            }
        }
    }
}

impl<T: Notifier> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered in `new`; after unregistering the callback no longer runs.
        unsafe { bindings::unregister_netdevice_notifier(self.block.nb.get()) };
    }
}
