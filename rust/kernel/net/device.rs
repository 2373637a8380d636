// SPDX-License-Identifier: GPL-2.0

//! Network devices (`struct net_device`).
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//!
//! [`Device`] is any network device, held by reference count ([`ARef<Device>`]) or borrowed for
//! the duration of a callback. Drivers implement [`Driver`] for the private data of the devices
//! they create; the networking core then calls the driver through [`DriverDevice<T>`], which is
//! a [`Device`] whose private area holds a pinned `T`. Devices are created through a
//! [`link::Registration`](super::link::Registration), which installs the driver's
//! `rtnl_link_ops` so that `ip link add ... type <kind>` and `ip link del` work.
//!
//! Operations that the kernel requires RTNL for take a [`&Rtnl`](super::Rtnl).

use super::{ethtool, namespace::Net, netlink::ExtAck, rtnl::Rtnl, skb::SkBuff};
use crate::{
    bindings,
    error::{code::*, to_result, Result},
    prelude::*,
    str::CStr,
    sync::{lock::spinlock_bh::SoftirqsOff, rcu},
    types::{ARef, AlwaysRefCounted, Opaque},
    workqueue::delayed::{DelayedWorkItem, HasDelayedWork},
};
use core::{
    fmt,
    marker::PhantomData,
    mem::{size_of, MaybeUninit},
    pin::Pin,
    ptr::{self, NonNull},
};

pub mod features;
pub use features::Features;
mod upper;
pub(crate) mod vtable;

/// `IFF_*` device flags (`dev->flags`, user-visible, from `include/uapi/linux/if.h`).
pub mod flags {
    /// The interface is administratively up.
    pub const UP: u32 = crate::bindings::net_device_flags_IFF_UP;
    /// Broadcast address valid.
    pub const BROADCAST: u32 = crate::bindings::net_device_flags_IFF_BROADCAST;
    /// Is a loopback net.
    pub const LOOPBACK: u32 = crate::bindings::net_device_flags_IFF_LOOPBACK;
    /// Is a point-to-point link.
    pub const POINTOPOINT: u32 = crate::bindings::net_device_flags_IFF_POINTOPOINT;
    /// No ARP protocol.
    pub const NOARP: u32 = crate::bindings::net_device_flags_IFF_NOARP;
    /// Receive all packets.
    pub const PROMISC: u32 = crate::bindings::net_device_flags_IFF_PROMISC;
    /// Receive all multicast packets.
    pub const ALLMULTI: u32 = crate::bindings::net_device_flags_IFF_ALLMULTI;
    /// Master of a load balancer (bonding).
    pub const MASTER: u32 = crate::bindings::net_device_flags_IFF_MASTER;
    /// Slave of a load balancer (bonding).
    pub const SLAVE: u32 = crate::bindings::net_device_flags_IFF_SLAVE;
    /// Supports multicast.
    pub const MULTICAST: u32 = crate::bindings::net_device_flags_IFF_MULTICAST;
}

/// `IFF_*` private flags (`dev->priv_flags`, not visible to user space).
pub mod priv_flags {
    /// The device is a bonding master.
    pub const BONDING: u64 = crate::bindings::netdev_priv_flags_IFF_BONDING as u64;
    /// The device is an 802.1Q or 802.1ad VLAN device.
    pub const VLAN_8021Q: u64 = crate::bindings::netdev_priv_flags_IFF_802_1Q_VLAN as u64;
    /// The device is a macvlan device.
    pub const MACVLAN: u64 = crate::bindings::netdev_priv_flags_IFF_MACVLAN as u64;
    /// Transmit of shared skbs allowed (pktgen `burst`, `clone_skb`).
    pub const TX_SKB_SHARING: u64 = crate::bindings::netdev_priv_flags_IFF_TX_SKB_SHARING as u64;
    /// The MAC address may change while the device is up.
    pub const LIVE_ADDR_CHANGE: u64 = crate::bindings::netdev_priv_flags_IFF_LIVE_ADDR_CHANGE as u64;
    /// The device has no transmit queue (no qdisc is attached by default).
    pub const NO_QUEUE: u64 = crate::bindings::netdev_priv_flags_IFF_NO_QUEUE as u64;
    /// Unicast address filtering supported.
    pub const UNICAST_FLT: u64 = crate::bindings::netdev_priv_flags_IFF_UNICAST_FLT as u64;
    /// The device may not be a bridge port.
    pub const DONT_BRIDGE: u64 = crate::bindings::netdev_priv_flags_IFF_DONT_BRIDGE as u64;
    /// The device may not get an rx_handler.
    pub const NO_RX_HANDLER: u64 = crate::bindings::netdev_priv_flags_IFF_NO_RX_HANDLER as u64;
    /// The stack may drop the skb's dst before transmit.
    pub const XMIT_DST_RELEASE: u64 = crate::bindings::netdev_priv_flags_IFF_XMIT_DST_RELEASE as u64;
    /// Netpoll is disabled at run time.
    pub const DISABLE_NETPOLL: u64 = crate::bindings::netdev_priv_flags_IFF_DISABLE_NETPOLL as u64;
    /// No IPv6 address autoconfiguration (set on bond slaves).
    pub const NO_ADDRCONF: u64 = crate::bindings::netdev_priv_flags_IFF_NO_ADDRCONF as u64;
    /// `IFF_EBRIDGE`: a bridge device.
    pub const EBRIDGE: u64 = crate::bindings::netdev_priv_flags_IFF_EBRIDGE as u64;
    /// `IFF_OPENVSWITCH`: an Open vSwitch master device.
    pub const OPENVSWITCH: u64 = crate::bindings::netdev_priv_flags_IFF_OPENVSWITCH as u64;
    /// `IFF_BRIDGE_PORT`: a port of a bridge.
    pub const BRIDGE_PORT: u64 = crate::bindings::netdev_priv_flags_IFF_BRIDGE_PORT as u64;
}

/// Where [`Driver::change_rx_flags`] runs.
///
/// The core calls `ndo_change_rx_flags` under RTNL, but not always where it may sleep: for a
/// device without `IFF_UNICAST_FLT`, `__dev_set_rx_mode` turns promiscuity on from inside
/// the device's address lock (a spinlock). Such a device cannot tell the two apart, so it
/// gets no [`Rtnl`] token, which would let it make sleeping RTNL calls.
#[derive(Clone, Copy)]
pub enum RxFlagsContext<'a> {
    /// The device has `IFF_UNICAST_FLT`: the call comes from `dev_set_promiscuity` or
    /// `dev_set_allmulti`, under RTNL, in a context that may sleep.
    Rtnl(&'a Rtnl),
    /// The device has no `IFF_UNICAST_FLT`: RTNL is held, but the context may be atomic.
    MaybeAtomic,
}

/// The marks an upper device may set on its lower devices ([`Device::set_lower_mark`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LowerMark {
    /// `IFF_SLAVE` in `flags`.
    Slave,
    /// `IFF_BONDING` in `priv_flags`: a bonding slave.
    Bonding,
    /// `IFF_NO_ADDRCONF` in `priv_flags`: no IPv6 address autoconfiguration.
    NoAddrconf,
}

/// A network device's interface name, copied out of the device (`IFNAMSIZ` bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name([u8; bindings::IFNAMSIZ as usize]);

impl Name {
    /// An empty name.
    pub const fn empty() -> Self {
        Self([0; bindings::IFNAMSIZ as usize])
    }

    /// The name without its terminating NUL.
    pub fn as_bytes(&self) -> &[u8] {
        let len = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        &self.0[..len]
    }

    /// The name as a C string (`IFNAMSIZ` guarantees room for the NUL).
    pub fn as_cstr(&self) -> &CStr {
        let len = self.as_bytes().len();
        // SAFETY: `len` is the index of the first NUL; `Name::from_raw` keeps one in the array.
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.0[..=len]) }
    }

    /// Copies the name of the device `dev`.
    #[inline]
    fn from_raw(dev: *const bindings::net_device) -> Self {
        let mut out = [0u8; bindings::IFNAMSIZ as usize];
        // SAFETY: `dev` is valid (callers pass `Device::as_raw`). The name can be rewritten by
        // a rename under RTNL while we copy, as in C's lockless readers: copy byte by byte with
        // volatile reads so a torn name is the worst outcome.
        let name = unsafe { ptr::addr_of!((*dev).name) } as *const u8;
        let n = out.len() - 1;
        for (i, b) in out.iter_mut().enumerate().take(n) {
            // SAFETY: `i` is within the `IFNAMSIZ` array.
            *b = unsafe { ptr::read_volatile(name.add(i)) };
        }
        Self(out)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.as_bytes() {
            fmt::Write::write_char(f, b as char)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A hardware (link-layer) address: up to `MAX_ADDR_LEN` bytes, 6 for Ethernet.
///
/// # Examples
///
/// ```
/// use kernel::{fmt, net::device::HwAddr, str::CString};
///
/// let a = HwAddr::new(&[0x02, 0x11, 0x22, 0x33, 0x44, 0xab]).unwrap();
/// assert_eq!(CString::try_from_fmt(fmt!("{a}"))?.as_bytes(), b"02:11:22:33:44:ab");
/// assert!(!a.is_zero());
/// assert!(HwAddr::new(&[0; 33]).is_none());
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HwAddr {
    len: u8,
    bytes: [u8; bindings::MAX_ADDR_LEN as usize],
}

impl HwAddr {
    /// An address of `bytes.len()` bytes; `None` if longer than `MAX_ADDR_LEN`.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        let mut a = Self {
            len: u8::try_from(bytes.len()).ok()?,
            bytes: [0; bindings::MAX_ADDR_LEN as usize],
        };
        a.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(a)
    }

    /// A 6-byte Ethernet address.
    pub const fn ether(mac: [u8; 6]) -> Self {
        let mut bytes = [0; bindings::MAX_ADDR_LEN as usize];
        let mut i = 0;
        while i < 6 {
            bytes[i] = mac[i];
            i += 1;
        }
        Self { len: 6, bytes }
    }

    /// The address bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// `true` for an all-zero address.
    pub fn is_zero(&self) -> bool {
        self.as_bytes().iter().all(|&b| b == 0)
    }
}

impl fmt::Display for HwAddr {
    /// Colon-separated lowercase hex, as the kernel's `%pM` prints an Ethernet address.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for HwAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Link speed and duplex as reported by the driver's ethtool `get_link_ksettings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkSettings {
    /// Speed in Mb/s; `SPEED_UNKNOWN` (u32::MAX) when unknown.
    pub speed: u32,
    /// `DUPLEX_HALF` (0), `DUPLEX_FULL` (1) or `DUPLEX_UNKNOWN` (0xff).
    pub duplex: u8,
}

/// Network device statistics (`struct rtnl_link_stats64`): every field is a `u64` counter.
///
/// # Invariants
///
/// Same layout as `struct rtnl_link_stats64`.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Stats64(bindings::rtnl_link_stats64);

/// The number of `u64` counters in [`Stats64`].
pub const STATS64_FIELDS: usize = size_of::<bindings::rtnl_link_stats64>() / size_of::<u64>();

impl Stats64 {
    /// All counters zero.
    pub fn zeroed() -> Self {
        // SAFETY: All-zero is a valid `rtnl_link_stats64` (integers only).
        Self(unsafe { MaybeUninit::zeroed().assume_init() })
    }

    /// The counters in declaration order, for summing statistics field by field.
    pub fn as_array(&self) -> &[u64; STATS64_FIELDS] {
        // SAFETY: `rtnl_link_stats64` consists of `STATS64_FIELDS` `u64`s and nothing else.
        unsafe { &*(ptr::addr_of!(self.0) as *const [u64; STATS64_FIELDS]) }
    }

    /// Mutable access to the counters in declaration order.
    pub fn as_array_mut(&mut self) -> &mut [u64; STATS64_FIELDS] {
        // SAFETY: As in `as_array`.
        unsafe { &mut *(ptr::addr_of_mut!(self.0) as *mut [u64; STATS64_FIELDS]) }
    }

    /// The raw C structure.
    pub fn raw(&self) -> &bindings::rtnl_link_stats64 {
        &self.0
    }

    /// Mutable access to the raw C structure (all fields are plain counters).
    pub fn raw_mut(&mut self) -> &mut bindings::rtnl_link_stats64 {
        &mut self.0
    }

    /// # Safety
    ///
    /// `ptr` must be valid for reads and writes for `'a` and not aliased.
    #[inline]
    unsafe fn from_raw<'a>(ptr: *mut bindings::rtnl_link_stats64) -> &'a mut Self {
        // SAFETY: `Stats64` is a transparent wrapper; the caller guarantees validity.
        unsafe { &mut *ptr.cast() }
    }
}

/// A network device.
///
/// # Invariants
///
/// The wrapped `struct net_device` is valid: either a reference count is held ([`ARef`]), or
/// the borrow is bounded by a scope in which the networking core keeps the device alive (a
/// callback, an RCU read-side section, RTNL).
#[repr(transparent)]
pub struct Device(Opaque<bindings::net_device>);

// SAFETY: `struct net_device` is designed for use from any thread; every mutation the wrappers
// perform follows the kernel's own locking rules (RTNL, or the device's own locks).
unsafe impl Send for Device {}
// SAFETY: See above.
unsafe impl Sync for Device {}

// SAFETY: `dev_hold` and `dev_put` maintain the device's reference count; a device is not freed
// while its count is non-zero.
unsafe impl AlwaysRefCounted for Device {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The type invariants guarantee the device is valid.
        unsafe { bindings::dev_hold(self.as_raw()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference it owns.
        unsafe { bindings::dev_put(obj.cast().as_ptr()) };
    }
}

/// The sockaddr layout `dev_set_mac_address` reads: family, then up to 126 address bytes.
#[repr(C)]
struct SockaddrStorage {
    family: u16,
    data: [u8; 126],
}

impl Device {
    /// Creates a reference to a [`Device`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct net_device` that stays alive for `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `Device` is a transparent wrapper; the caller guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw `struct net_device` pointer.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    /// Looks up a device by name in `net` and takes a reference to it.
    pub fn get_by_name(net: &Net, name: &CStr) -> Option<ARef<Device>> {
        // SAFETY: `net` is valid and `name` NUL-terminated; `dev_get_by_name` returns a device
        // with a reference we now own, or NULL.
        let dev = unsafe { bindings::dev_get_by_name(net.as_raw(), name.as_char_ptr()) };
        // SAFETY: A non-NULL result carries a reference count that `ARef` takes over.
        NonNull::new(dev).map(|p| unsafe { ARef::from_raw(p.cast()) })
    }

    /// Looks up a device by interface index in `net` and takes a reference to it.
    pub fn get_by_index(net: &Net, ifindex: i32) -> Option<ARef<Device>> {
        // SAFETY: `net` is valid; a non-NULL result carries a reference we now own.
        let dev = unsafe { bindings::dev_get_by_index(net.as_raw(), ifindex) };
        // SAFETY: As above.
        NonNull::new(dev).map(|p| unsafe { ARef::from_raw(p.cast()) })
    }

    /// Reads a field of the device once, as C's `READ_ONCE`.
    ///
    /// # Safety
    ///
    /// `field` must select a field of `*dev`.
    #[inline]
    unsafe fn read_once<F: Copy>(
        &self,
        field: impl FnOnce(*mut bindings::net_device) -> *const F,
    ) -> F {
        // SAFETY: The device is valid (type invariants) and `field` selects one of its fields.
        unsafe { ptr::read_volatile(field(self.as_raw())) }
    }

    /// The interface name (`dev->name`).
    pub fn name(&self) -> Name {
        Name::from_raw(self.as_raw())
    }

    /// The interface index.
    #[inline]
    pub fn ifindex(&self) -> i32 {
        // SAFETY: `ifindex` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).ifindex)) }
    }

    /// The `IFF_*` flags; see [`flags`].
    #[inline]
    pub fn flags(&self) -> u32 {
        // SAFETY: `flags` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).flags)) }
    }

    /// The private `IFF_*` flags; see [`priv_flags`].
    pub fn priv_flags(&self) -> u64 {
        // SAFETY: The device is valid; the helper reads the `priv_flags` bitfield.
        unsafe { bindings::netdev_priv_flags_get(self.as_raw()) }
    }

    /// `true` if the interface is administratively up (`IFF_UP`).
    #[inline]
    pub fn is_up(&self) -> bool {
        self.flags() & flags::UP != 0
    }

    /// Tests a `__LINK_STATE_*` bit of `dev->state`, as `test_bit()` does: one plain read of
    /// the word, which the core changes with atomic bit operations.
    #[inline]
    fn state_bit(&self, bit: bindings::netdev_state_t) -> bool {
        // SAFETY: `state` is a field of the valid device.
        let state = unsafe { self.read_once(|d| ptr::addr_of!((*d).state)) };
        state & (1 << bit) != 0
    }

    /// `true` if the device is running (`netif_running`: opened and not stopped).
    #[inline]
    pub fn is_running(&self) -> bool {
        self.state_bit(bindings::netdev_state_t___LINK_STATE_START)
    }

    /// `true` if the device reports carrier (`netif_carrier_ok`).
    #[inline]
    pub fn carrier_ok(&self) -> bool {
        !self.state_bit(bindings::netdev_state_t___LINK_STATE_NOCARRIER)
    }

    /// The RFC 2863 operational state (`IF_OPER_*`).
    pub fn operstate(&self) -> u8 {
        // SAFETY: `operstate` is a field of `net_device`; its values fit in a byte.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).operstate)) as u8 }
    }

    /// The MTU.
    pub fn mtu(&self) -> u32 {
        // SAFETY: `mtu` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).mtu)) }
    }

    /// The minimum and maximum MTU the device accepts.
    pub fn mtu_range(&self) -> (u32, u32) {
        // SAFETY: `min_mtu` and `max_mtu` are fields of `net_device`.
        unsafe {
            (
                self.read_once(|d| ptr::addr_of!((*d).min_mtu)),
                self.read_once(|d| ptr::addr_of!((*d).max_mtu)),
            )
        }
    }

    /// The hardware type (`ARPHRD_*`).
    pub fn hw_type(&self) -> u16 {
        // SAFETY: `type_` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).type_)) }
    }

    /// The link-layer address length.
    pub fn addr_len(&self) -> u8 {
        // SAFETY: `addr_len` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).addr_len)) }
    }

    /// The current hardware address (`dev->dev_addr`).
    pub fn addr(&self) -> HwAddr {
        let len = usize::from(self.addr_len()).min(bindings::MAX_ADDR_LEN as usize);
        // SAFETY: `dev_addr` points to `MAX_ADDR_LEN` bytes owned by the device for its life.
        let bytes = unsafe {
            let p = self.read_once(|d| ptr::addr_of!((*d).dev_addr));
            core::slice::from_raw_parts(p, len)
        };
        HwAddr::new(bytes).unwrap_or(HwAddr {
            len: 0,
            bytes: [0; bindings::MAX_ADDR_LEN as usize],
        })
    }

    /// The permanent hardware address (`dev->perm_addr`).
    pub fn perm_addr(&self) -> HwAddr {
        let len = usize::from(self.addr_len()).min(bindings::MAX_ADDR_LEN as usize);
        // SAFETY: `perm_addr` is an array of `MAX_ADDR_LEN` bytes inside the device.
        let all = unsafe { self.read_once(|d| ptr::addr_of!((*d).perm_addr)) };
        HwAddr::new(&all[..len]).unwrap_or(HwAddr {
            len: 0,
            bytes: [0; bindings::MAX_ADDR_LEN as usize],
        })
    }

    /// The active features (`dev->features`).
    pub fn features(&self) -> Features {
        // SAFETY: `features` is a field of `net_device`.
        Features(unsafe { self.read_once(|d| ptr::addr_of!((*d).features)) })
    }

    /// The features the device can have switched on (`dev->hw_features`).
    pub fn hw_features(&self) -> Features {
        // SAFETY: `hw_features` is a field of `net_device`.
        Features(unsafe { self.read_once(|d| ptr::addr_of!((*d).hw_features)) })
    }

    /// The features VLAN devices stacked on this one inherit (`dev->vlan_features`).
    pub fn vlan_features(&self) -> Features {
        // SAFETY: `vlan_features` is a field of `net_device`.
        Features(unsafe { self.read_once(|d| ptr::addr_of!((*d).vlan_features)) })
    }

    /// The features for encapsulated traffic (`dev->hw_enc_features`).
    pub fn hw_enc_features(&self) -> Features {
        // SAFETY: `hw_enc_features` is a field of `net_device`.
        Features(unsafe { self.read_once(|d| ptr::addr_of!((*d).hw_enc_features)) })
    }

    /// Headroom and tailroom the device needs in transmitted skbs.
    pub fn needed_room(&self) -> (u16, u16) {
        // SAFETY: `needed_headroom` and `needed_tailroom` are fields of `net_device`.
        unsafe {
            (
                self.read_once(|d| ptr::addr_of!((*d).needed_headroom)),
                self.read_once(|d| ptr::addr_of!((*d).needed_tailroom)),
            )
        }
    }

    /// The link-layer header length (`dev->hard_header_len`).
    pub fn hard_header_len(&self) -> u16 {
        // SAFETY: `hard_header_len` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).hard_header_len)) }
    }

    /// The number of transmit queues the device really uses.
    #[inline]
    pub fn real_num_tx_queues(&self) -> u32 {
        // SAFETY: `real_num_tx_queues` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).real_num_tx_queues)) }
    }

    /// The network namespace the device lives in, while RTNL is held.
    ///
    /// A device keeps its namespace alive only while it lives there: `dev_change_net_namespace`
    /// can move it out (under RTNL) and the old namespace can then go. Holding RTNL for the
    /// borrow keeps the device where it is.
    pub fn net<'a>(&'a self, _rtnl: &'a Rtnl) -> &'a Net {
        // SAFETY: A namespace is dismantled only after all its devices are moved out or
        // unregistered, both of which need RTNL, held for `'a`.
        unsafe { Net::from_raw(bindings::dev_net(self.as_raw())) }
    }

    /// `true` if `self` and `other` are the same device.
    pub fn is(&self, other: &Device) -> bool {
        ptr::eq(self.as_raw(), other.as_raw())
    }

    /// `true` if both devices are driven by the same `net_device_ops` (the same driver).
    pub fn same_ops(&self, other: &Device) -> bool {
        // SAFETY: `netdev_ops` is a field of `net_device`.
        unsafe {
            ptr::eq(
                self.read_once(|d| ptr::addr_of!((*d).netdev_ops)),
                other.read_once(|d| ptr::addr_of!((*d).netdev_ops)),
            )
        }
    }

    /// `true` if the device supplies `ndo_set_mac_address`.
    pub fn can_set_mac_address(&self) -> bool {
        // SAFETY: `netdev_ops` always points to a valid ops table for a valid device.
        unsafe { (*self.read_once(|d| ptr::addr_of!((*d).netdev_ops))).ndo_set_mac_address.is_some() }
    }

    /// `true` if the driver reports link state through ethtool `get_link` or MII ioctls
    /// (`ndo_eth_ioctl`), the two sources [`Device::ethtool_link`] and [`Device::mii_link`]
    /// ask.
    pub fn has_link_reporting(&self) -> bool {
        // SAFETY: `ethtool_ops` and `netdev_ops` of a valid device point to valid tables
        // (`alloc_netdev` installs default ethtool ops for drivers without any).
        unsafe {
            (*self.read_once(|d| ptr::addr_of!((*d).ethtool_ops))).get_link.is_some()
                || (*self.read_once(|d| ptr::addr_of!((*d).netdev_ops))).ndo_eth_ioctl.is_some()
        }
    }

    /// The link state as the driver's ethtool `get_link` reports it, or `None` if the driver
    /// has no `get_link`.
    ///
    /// Under RTNL, in a context that may sleep, as the ethtool core calls `get_link`: a driver's
    /// `get_link` may do bus I/O and take mutexes (`usbnet_get_link` -> `mii_link_ok` reads the
    /// PHY over MDIO). The `&Rtnl` keeps it out of RCU-only paths such as a monitor's
    /// lockless inspection; a caller holding RTNL must still not hold an RCU read guard or a
    /// spinlock across it.
    pub fn ethtool_link(&self, _rtnl: &Rtnl) -> Option<bool> {
        // SAFETY: As in `has_link_reporting`. RTNL is held and the caller may sleep, which is
        // the context `ethtool_get_link` (the ethtool core) calls `get_link` in.
        unsafe {
            let get_link = (*self.read_once(|d| ptr::addr_of!((*d).ethtool_ops))).get_link?;
            Some(get_link(self.as_raw()) != 0)
        }
    }

    /// The link state read from the PHY through the driver's MII ioctls (`SIOCGMIIPHY`, then
    /// `SIOCGMIIREG` of `MII_BMSR`, testing `BMSR_LSTATUS`), or `None` if the driver has no
    /// `ndo_eth_ioctl` or either ioctl fails.
    ///
    /// Under RTNL, in a context that may sleep: the core only ever calls `ndo_eth_ioctl` so
    /// (`dev_eth_ioctl` from `dev_ioctl`), and drivers rely on it (`phy_mii_ioctl` takes the
    /// MDIO bus mutex).
    pub fn mii_link(&self, _rtnl: &Rtnl) -> Option<bool> {
        // SAFETY: As in `has_link_reporting`.
        let ioctl = unsafe { (*self.read_once(|d| ptr::addr_of!((*d).netdev_ops))).ndo_eth_ioctl? };
        // SAFETY: `ifreq` is a plain C structure for which all zeroes is valid.
        let mut ifr: bindings::ifreq = unsafe { core::mem::zeroed() };
        let name = self.name();
        // SAFETY: `ifrn_name` is the name union's only member, and any bytes are valid for it.
        let ifr_name = unsafe { &mut ifr.ifr_ifrn.ifrn_name };
        for (dst, src) in ifr_name.iter_mut().zip(name.as_bytes()) {
            *dst = *src as _;
        }
        // The MII data overlays the request's union, as `if_mii()` has it.
        let mii = ptr::addr_of_mut!(ifr.ifr_ifru).cast::<bindings::mii_ioctl_data>();
        // SAFETY: `ifr` is a valid kernel-space request for this device, and the union is large
        // enough for `mii_ioctl_data`, which is where `SIOCGMIIPHY`/`SIOCGMIIREG` handlers
        // (`if_mii()`) read and write. RTNL is held and the caller may sleep, as for
        // `dev_eth_ioctl`.
        unsafe {
            if ioctl(self.as_raw(), &mut ifr, bindings::SIOCGMIIPHY as _) != 0 {
                return None;
            }
            (*mii).reg_num = bindings::MII_BMSR as u16;
            if ioctl(self.as_raw(), &mut ifr, bindings::SIOCGMIIREG as _) != 0 {
                return None;
            }
            Some(u32::from((*mii).val_out) & bindings::BMSR_LSTATUS != 0)
        }
    }

    /// How many levels of devices lie below this one: 0 without lower devices, 1 for a bond
    /// of plain devices, 2 for a bond enslaved to a bond. It is `dev->lower_level` less one,
    /// kept by the core under RTNL; read without RTNL it may be out of date while devices are
    /// linked, which suits its use as a lockdep subclass (bond_get_lowest_level_rcu()).
    pub fn lower_depth(&self) -> u32 {
        // SAFETY: The device is valid. `lower_level` is a byte the core writes under RTNL; it
        // is read once here, as READ_ONCE() would.
        let level = unsafe { ptr::read_volatile(ptr::addr_of!((*self.as_raw()).lower_level)) };
        u32::from(level).saturating_sub(1)
    }

    /// A snapshot of the device's statistics (`dev_get_stats`).
    pub fn stats(&self) -> Stats64 {
        let mut stats = Stats64::zeroed();
        // SAFETY: The device is valid and `stats` is a writable `rtnl_link_stats64`.
        unsafe { bindings::dev_get_stats(self.as_raw(), stats.raw_mut()) };
        stats
    }

    /// The device's master (upper device with `IFF_MASTER` role), if it is enslaved.
    pub fn master<'a>(&'a self, _rtnl: &'a Rtnl) -> Option<&'a Device> {
        // SAFETY: RTNL is held, as `netdev_master_upper_dev_get` requires. The master cannot be
        // unlinked (and so freed) while RTNL is held, which bounds `'a`.
        let p = unsafe { bindings::netdev_master_upper_dev_get(self.as_raw()) };
        // SAFETY: As above.
        NonNull::new(p).map(|p| unsafe { Device::from_raw(p.as_ptr()) })
    }

    /// `true` if another driver already attached an rx_handler to this device.
    pub fn has_rx_handler(&self, _rtnl: &Rtnl) -> bool {
        // SAFETY: RTNL is held; the function only inspects the device.
        unsafe { bindings::netdev_is_rx_handler_busy(self.as_raw()) }
    }

    /// Opens the device (`dev_open`), as `ip link set dev up` does.
    pub fn open(&self, _rtnl: &Rtnl, extack: Option<&mut ExtAck>) -> Result {
        // SAFETY: RTNL is held and the device is valid.
        to_result(unsafe { bindings::dev_open(self.as_raw(), ExtAck::as_raw_opt(extack)) })
    }

    /// Closes the device (`dev_close`).
    pub fn close(&self, _rtnl: &Rtnl) {
        // SAFETY: RTNL is held and the device is valid.
        unsafe { bindings::dev_close(self.as_raw()) };
    }

    /// Changes the hardware address (`dev_set_mac_address`), notifying the stack.
    pub fn set_mac_address(
        &self,
        _rtnl: &Rtnl,
        addr: &HwAddr,
        extack: Option<&mut ExtAck>,
    ) -> Result {
        let mut ss = SockaddrStorage {
            family: self.hw_type(),
            data: [0; 126],
        };
        ss.data[..addr.as_bytes().len()].copy_from_slice(addr.as_bytes());
        // SAFETY: RTNL is held; `ss` is a sockaddr with room for `dev->addr_len` bytes.
        to_result(unsafe {
            bindings::dev_set_mac_address(
                self.as_raw(),
                ptr::addr_of_mut!(ss).cast(),
                ExtAck::as_raw_opt(extack),
            )
        })
    }

    /// Changes the MTU (`dev_set_mtu`).
    pub fn set_mtu(&self, _rtnl: &Rtnl, mtu: u32) -> Result {
        let mtu = i32::try_from(mtu).map_err(|_| EINVAL)?;
        // SAFETY: RTNL is held and the device is valid.
        to_result(unsafe { bindings::dev_set_mtu(self.as_raw(), mtu) })
    }

    /// Adds `addr` to the device's multicast list (`dev_mc_add`), counted: each add needs
    /// its [`Device::mc_del`].
    pub fn mc_add(&self, _rtnl: &Rtnl, addr: &[u8; 6]) -> Result {
        // SAFETY: The device is valid; `dev_mc_add` copies the address under the device's
        // address-list lock, which RTNL holders never hold on entry.
        to_result(unsafe { bindings::dev_mc_add(self.as_raw(), addr.as_ptr()) })
    }

    /// Drops one count of `addr` from the multicast list (`dev_mc_del`); `ENOENT` if absent.
    pub fn mc_del(&self, _rtnl: &Rtnl, addr: &[u8; 6]) -> Result {
        // SAFETY: As in `mc_add`.
        to_result(unsafe { bindings::dev_mc_del(self.as_raw(), addr.as_ptr()) })
    }

    /// Adjusts the promiscuity count by `inc` (`dev_set_promiscuity`).
    pub fn set_promiscuity(&self, _rtnl: &Rtnl, inc: i32) -> Result {
        // SAFETY: RTNL is held and the device is valid.
        to_result(unsafe { bindings::dev_set_promiscuity(self.as_raw(), inc) })
    }

    /// Adjusts the all-multicast count by `inc` (`dev_set_allmulti`).
    pub fn set_allmulti(&self, _rtnl: &Rtnl, inc: i32) -> Result {
        // SAFETY: RTNL is held and the device is valid.
        to_result(unsafe { bindings::dev_set_allmulti(self.as_raw(), inc) })
    }

    /// Changes the `IFF_*` flags user space may change (`dev_change_flags`).
    pub fn change_flags(&self, _rtnl: &Rtnl, flags: u32, extack: Option<&mut ExtAck>) -> Result {
        // SAFETY: RTNL is held and the device is valid.
        to_result(unsafe {
            bindings::dev_change_flags(self.as_raw(), flags, ExtAck::as_raw_opt(extack))
        })
    }

    /// Reads speed and duplex through the driver's ethtool operations.
    pub fn link_settings(&self, _rtnl: &Rtnl) -> Result<LinkSettings> {
        // SAFETY: All-zero is a valid `ethtool_link_ksettings`.
        let mut ks: bindings::ethtool_link_ksettings = unsafe { MaybeUninit::zeroed().assume_init() };
        // SAFETY: RTNL is held (required by `__ethtool_get_link_ksettings`); `ks` is writable.
        to_result(unsafe { bindings::__ethtool_get_link_ksettings(self.as_raw(), &mut ks) })?;
        Ok(LinkSettings {
            speed: ks.base.speed,
            duplex: ks.base.duplex,
        })
    }

    /// Makes `upper` this device's master (`netdev_master_upper_dev_link`), with LAG
    /// information for the stack when `lag` is given.
    pub fn link_master(
        &self,
        _rtnl: &Rtnl,
        upper: &Device,
        lag: Option<LagInfo>,
        extack: Option<&mut ExtAck>,
    ) -> Result {
        let mut info = lag.map(|l| bindings::netdev_lag_upper_info {
            tx_type: l.tx_type,
            hash_type: l.hash_type,
        });
        let info_ptr = info
            .as_mut()
            .map_or(ptr::null_mut(), |i| ptr::from_mut(i).cast());
        // SAFETY: RTNL is held; both devices are valid; `info_ptr` is NULL or valid for the call
        // (the core copies what it needs).
        to_result(unsafe {
            bindings::netdev_master_upper_dev_link(
                self.as_raw(),
                upper.as_raw(),
                ptr::null_mut(),
                info_ptr,
                ExtAck::as_raw_opt(extack),
            )
        })
    }

    /// Removes the link to `upper` made by [`Device::link_master`].
    pub fn unlink_master(&self, _rtnl: &Rtnl, upper: &Device) {
        // SAFETY: RTNL is held; both devices are valid and linked.
        unsafe { bindings::netdev_upper_dev_unlink(self.as_raw(), upper.as_raw()) };
    }

    /// Tells the stack the lower device's LAG state changed (`netdev_lower_state_changed`).
    pub fn lag_state_changed(&self, _rtnl: &Rtnl, link_up: bool, tx_enabled: bool) {
        // SAFETY: All-zero is a valid `netdev_lag_lower_state_info` (two one-bit fields).
        let mut info: bindings::netdev_lag_lower_state_info =
            unsafe { MaybeUninit::zeroed().assume_init() };
        info.set_link_up(link_up.into());
        info.set_tx_enabled(tx_enabled.into());
        // SAFETY: RTNL is held; `info` is valid for the call.
        unsafe {
            bindings::netdev_lower_state_changed(self.as_raw(), ptr::from_mut(&mut info).cast())
        };
    }

    /// Copies `from`'s unicast and multicast address lists to this device
    /// (`dev_uc_sync`/`dev_mc_sync`), as an upper device does for its active lower device.
    ///
    /// `dev_uc_sync` and `dev_mc_sync` walk `from`'s lists and must hold `from`'s address
    /// lock while they do (they take only this device's): RTNL alone does not exclude
    /// `dev_mc_add` on `from` (IPv6 multicast joins run without it). So the caller shows the
    /// lock held with an [`AddrListsLocked`] token: the one `ndo_set_rx_mode` receives, or a
    /// guard from [`Device::lock_addr_lists`].
    ///
    /// ```
    /// # use kernel::net::device::Device;
    /// fn copy_lists(lower: &Device, upper: &Device) -> kernel::error::Result {
    ///     let locked = upper.lock_addr_lists();
    ///     lower.sync_addr_lists_from(&locked, false)
    ///     // Passing `upper` itself, without its lock, no longer compiles.
    /// }
    /// ```
    pub fn sync_addr_lists_from(&self, from: &AddrListsLocked<'_>, multiple: bool) -> Result {
        let from = from.dev;
        // SAFETY: Both devices are valid; `from`'s address lock is held for the token's
        // lifetime, and the functions take this device's own address lock themselves.
        unsafe {
            if multiple {
                to_result(bindings::dev_uc_sync_multiple(self.as_raw(), from.as_raw()))?;
                to_result(bindings::dev_mc_sync_multiple(self.as_raw(), from.as_raw()))
            } else {
                to_result(bindings::dev_uc_sync(self.as_raw(), from.as_raw()))?;
                to_result(bindings::dev_mc_sync(self.as_raw(), from.as_raw()))
            }
        }
    }

    /// Takes the device's address list lock (`netif_addr_lock_bh`), until the guard drops.
    pub fn lock_addr_lists(&self) -> AddrListsGuard<'_> {
        // SAFETY: The device is valid; the guard's drop releases the lock.
        unsafe { bindings::netif_addr_lock_bh(self.as_raw()) };
        AddrListsGuard(AddrListsLocked { dev: self, _not_send: PhantomData })
    }

    /// Removes the addresses [`Device::sync_addr_lists_from`] added from `from`.
    ///
    /// Takes `from`'s address lock itself (`dev_uc_unsync`), so it must not be held.
    pub fn unsync_addr_lists_from(&self, from: &Device) {
        // SAFETY: Both devices are valid; `dev_uc_unsync`/`dev_mc_unsync` take both address
        // locks themselves.
        unsafe {
            bindings::dev_uc_unsync(self.as_raw(), from.as_raw());
            bindings::dev_mc_unsync(self.as_raw(), from.as_raw());
        }
    }

    /// Recomputes the device's features (`netdev_update_features`).
    pub fn update_features(&self, _rtnl: &Rtnl) {
        // SAFETY: RTNL is held and the device is valid.
        unsafe { bindings::netdev_update_features(self.as_raw()) };
    }

    /// Sets or clears one of the marks an upper device puts on its lower devices, directly,
    /// without notification (as bond_enslave() does).
    ///
    /// Only these marks can be changed on a registered device: a free choice of bits would
    /// let a driver set, say, `IFF_TX_SKB_SHARING` on its own device, which the "never
    /// shared" ownership of [`SkBuff`] in transmit relies on being clear, or `IFF_UP` behind
    /// the core's back.
    pub fn set_lower_mark(&self, _rtnl: &Rtnl, mark: LowerMark, on: bool) {
        match mark {
            LowerMark::Slave => {
                let bit = flags::SLAVE;
                // SAFETY: RTNL is held, which serialises `flags` updates.
                unsafe {
                    let p = ptr::addr_of_mut!((*self.as_raw()).flags);
                    let f = ptr::read_volatile(p);
                    ptr::write_volatile(p, if on { f | bit } else { f & !bit });
                }
            }
            LowerMark::Bonding | LowerMark::NoAddrconf => {
                let bit = if mark == LowerMark::Bonding {
                    priv_flags::BONDING
                } else {
                    priv_flags::NO_ADDRCONF
                };
                // SAFETY: RTNL is held, which serialises `priv_flags` updates.
                unsafe {
                    let f = bindings::netdev_priv_flags_get(self.as_raw());
                    bindings::netdev_priv_flags_set(self.as_raw(), if on { f | bit } else { f & !bit });
                }
            }
        }
    }

    /// How the hardware address was assigned (`NET_ADDR_PERM`, `_RANDOM`, `_STOLEN`, `_SET`).
    pub fn addr_assign_type(&self) -> u8 {
        // SAFETY: `addr_assign_type` is a field of `net_device`.
        unsafe { self.read_once(|d| ptr::addr_of!((*d).addr_assign_type)) }
    }

    /// Overwrites the hardware address field only (`dev_addr_set`), telling neither the
    /// device's driver nor the stack. The device keeps receiving for the address its driver
    /// was last given; what it reports, and what senders through it put in their frames,
    /// becomes `addr`. balance-tlb does this to its slaves: each answers for the bond's
    /// address but shows (and sends from) its own. Fails with `EINVAL` if the length is not
    /// the device's.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{c_str, net::{device::HwAddr, Device, Net, RtnlGuard}};
    ///
    /// let rtnl = RtnlGuard::lock();
    /// let lo = Device::find_by_name(Net::init_ns(), c_str!("lo"), &rtnl).ok_or(ENODEV)?;
    /// let old = lo.addr();
    /// // The loopback device's addresses are 6 bytes long.
    /// assert_eq!(lo.overwrite_addr(&rtnl, &HwAddr::new(&[1, 2, 3]).ok_or(EINVAL)?), Err(EINVAL));
    /// lo.overwrite_addr(&rtnl, &HwAddr::ether([2, 0, 0, 0, 0, 9]))?;
    /// assert_eq!(lo.addr().as_bytes(), &[2, 0, 0, 0, 0, 9]);
    /// lo.overwrite_addr(&rtnl, &old)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn overwrite_addr(&self, _rtnl: &Rtnl, addr: &HwAddr) -> Result {
        if addr.as_bytes().len() != usize::from(self.addr_len()) {
            return Err(EINVAL);
        }
        // SAFETY: RTNL is held, which serialises address changes; the length is the device's.
        unsafe {
            bindings::dev_addr_mod(self.as_raw(), 0, addr.as_bytes().as_ptr().cast(), addr.as_bytes().len())
        };
        Ok(())
    }

    /// The device of this device's namespace that holds the IPv4 address `addr` (network
    /// byte order), valid for `guard`'s RCU read-side section (`__ip_dev_find` without a
    /// reference). `None` if no device holds it, or if this device is not registered (its
    /// namespace may then be gone).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{c_str, net::{Device, Net}, sync::rcu};
    ///
    /// let lo = Device::get_by_name(Net::init_ns(), c_str!("lo")).ok_or(ENODEV)?;
    /// let guard = rcu::read_lock();
    /// // An address of the TEST-NET-3 block, which nothing here holds.
    /// assert!(lo.find_ipv4_owner([203, 0, 113, 77], &guard).is_none());
    /// if let Some(owner) = lo.find_ipv4_owner([127, 0, 0, 1], &guard) {
    ///     assert!(owner.is(&lo) && !owner.is_any_bridge_master());
    /// }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn find_ipv4_owner<'a>(&self, addr: [u8; 4], _guard: &'a rcu::Guard) -> Option<&'a Device> {
        // SAFETY: The device is valid; the helper reads its namespace only while it is
        // registered, and the caller is in an RCU read-side section (`guard`), as
        // `__ip_dev_find` without a reference requires.
        let dev = unsafe { bindings::ip_dev_find_rcu(self.as_raw(), u32::from_ne_bytes(addr)) };
        // SAFETY: A device found without a reference stays valid for the read-side section,
        // which outlives `'a`.
        (!dev.is_null()).then(|| unsafe { Device::from_raw(dev) })
    }

    /// `true` for a bridge or Open vSwitch master device (`netif_is_any_bridge_master`).
    pub fn is_any_bridge_master(&self) -> bool {
        let masters = priv_flags::EBRIDGE | priv_flags::OPENVSWITCH;
        self.priv_flags() & masters != 0
    }

    /// `true` if the device is a port of a bridge (`netif_is_bridge_port`).
    pub fn is_bridge_port(&self) -> bool {
        self.priv_flags() & priv_flags::BRIDGE_PORT != 0
    }

    /// Turns off large receive offload (`dev_disable_lro`), as upper devices do for lowers.
    pub fn disable_lro(&self, _rtnl: &Rtnl) {
        // SAFETY: RTNL is held and the device is valid.
        unsafe { bindings::dev_disable_lro(self.as_raw()) };
    }

    /// Counts a transmit drop in the device's core statistics.
    #[inline]
    pub fn count_tx_dropped(&self) {
        // SAFETY: The device is valid; the counters are per-CPU and safe in any context.
        unsafe { bindings::dev_core_stats_tx_dropped_inc(self.as_raw()) };
    }

    /// Looks up a device by name in `net` without taking a reference; the result is valid
    /// while RTNL is held (`__dev_get_by_name`).
    pub fn find_by_name<'a>(net: &Net, name: &CStr, _rtnl: &'a Rtnl) -> Option<&'a Device> {
        // SAFETY: RTNL is held, so devices are neither registered nor unregistered meanwhile.
        let dev = unsafe { bindings::__dev_get_by_name(net.as_raw(), name.as_char_ptr()) };
        // SAFETY: As above, the device outlives the RTNL borrow.
        NonNull::new(dev).map(|d| unsafe { Device::from_raw(d.as_ptr()) })
    }

    /// Looks up a device by index in `net` without taking a reference; valid while RTNL is
    /// held (`__dev_get_by_index`).
    pub fn find_by_index<'a>(net: &Net, ifindex: i32, _rtnl: &'a Rtnl) -> Option<&'a Device> {
        // SAFETY: As in `find_by_name`.
        let dev = unsafe { bindings::__dev_get_by_index(net.as_raw(), ifindex) };
        // SAFETY: As in `find_by_name`.
        NonNull::new(dev).map(|d| unsafe { Device::from_raw(d.as_ptr()) })
    }

    /// Recomputes an upper device's features from its lower devices
    /// (`netdev_compute_master_upper_features`).
    pub fn compute_master_upper_features(&self, _rtnl: &Rtnl, update_header: bool) {
        // SAFETY: RTNL is held and the device is valid.
        unsafe { bindings::netdev_compute_master_upper_features(self.as_raw(), update_header) };
    }

    /// Adds VLAN `vid` of `proto` to this device's filter (`vlan_vid_add`).
    pub fn vlan_vid_add(&self, _rtnl: &Rtnl, proto: VlanProto, vid: u16) -> Result {
        // SAFETY: RTNL is held and the device is valid.
        to_result(unsafe { bindings::vlan_vid_add(self.as_raw(), proto.0, vid) })
    }

    /// Drops VLAN `vid` of `proto` from this device's filter (`vlan_vid_del`).
    pub fn vlan_vid_del(&self, _rtnl: &Rtnl, proto: VlanProto, vid: u16) {
        // SAFETY: RTNL is held and the device is valid.
        unsafe { bindings::vlan_vid_del(self.as_raw(), proto.0, vid) };
    }

    /// Adds every VLAN in use on `by` to this device (`vlan_vids_add_by_dev`), as a lower
    /// device joining `by` must; all or none are added.
    pub fn vlan_vids_add_by_dev(&self, _rtnl: &Rtnl, by: &Device) -> Result {
        // SAFETY: RTNL is held and both devices are valid.
        to_result(unsafe { bindings::vlan_vids_add_by_dev(self.as_raw(), by.as_raw()) })
    }

    /// Drops the VLANs in use on `by` from this device (`vlan_vids_del_by_dev`).
    pub fn vlan_vids_del_by_dev(&self, _rtnl: &Rtnl, by: &Device) {
        // SAFETY: RTNL is held and both devices are valid.
        unsafe { bindings::vlan_vids_del_by_dev(self.as_raw(), by.as_raw()) };
    }

    /// `true` if VLANs are in use on this device (`vlan_uses_dev`).
    pub fn vlan_uses_dev(&self, _rtnl: &Rtnl) -> bool {
        // SAFETY: RTNL is held and the device is valid.
        unsafe { bindings::vlan_uses_dev(self.as_raw()) }
    }

    /// Sends a netdevice notifier event for this device (`call_netdevice_notifiers`).
    ///
    /// Only the events a driver itself announces ([`DriverEvent`]): the life-cycle events
    /// (`NETDEV_REGISTER`, `UNREGISTER`, `UP`, `GOING_DOWN`...) are the core's to send, and a
    /// forged `NETDEV_UNREGISTER` makes every listener drop what it holds of a live device.
    pub fn notify(&self, _rtnl: &Rtnl, event: super::notifier::DriverEvent) {
        // SAFETY: RTNL is held and the device is valid.
        unsafe { bindings::call_netdevice_notifiers(event.to_raw(), self.as_raw()) };
    }

    /// Sends a netdevice notifier event that notifiers may veto, such as
    /// [`DriverEvent::PreTypeChange`](super::notifier::DriverEvent::PreTypeChange), and
    /// returns the veto's error (`notifier_to_errno`).
    pub fn notify_checked(&self, _rtnl: &Rtnl, event: super::notifier::DriverEvent) -> Result {
        // SAFETY: RTNL is held and the device is valid.
        let ret = unsafe { bindings::call_netdevice_notifiers(event.to_raw(), self.as_raw()) };
        // `notifier_to_errno`: a veto is `NOTIFY_STOP_MASK | (NOTIFY_OK - errno)`.
        let ret = ret & !(bindings::NOTIFY_STOP_MASK as core::ffi::c_int);
        let ok = bindings::NOTIFY_OK as core::ffi::c_int;
        if ret > ok {
            return Err(Error::from_errno(ok - ret));
        }
        Ok(())
    }
}

/// A VLAN protocol (`ETH_P_8021Q` or `ETH_P_8021AD`) as the 8021q core passes it: in network
/// byte order, handed on unchanged to lower devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VlanProto(pub(crate) bindings::__be16);

impl VlanProto {
    /// 802.1Q (`ETH_P_8021Q`), a customer tag.
    pub const CTAG: VlanProto = VlanProto((bindings::ETH_P_8021Q as u16).to_be());
    /// 802.1ad (`ETH_P_8021AD`), a service tag.
    pub const STAG: VlanProto = VlanProto((bindings::ETH_P_8021AD as u16).to_be());

    /// The protocol number in host byte order.
    pub fn get(self) -> u16 {
        u16::from_be(self.0)
    }
}

/// `net_ratelimit()`: `true` if a networking message may be printed now (the messages C
/// prints with `net_*_ratelimited()`, shared by all of networking).
pub fn ratelimit() -> bool {
    // SAFETY: `net_ratelimit` takes no arguments and may be called from any context.
    unsafe { bindings::net_ratelimit() != 0 }
}

/// Kernel log levels for [`Device::log`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `KERN_ERR`.
    Err,
    /// `KERN_WARNING`.
    Warn,
    /// `KERN_NOTICE`.
    Notice,
    /// `KERN_INFO`.
    Info,
}

impl Level {
    /// The `KERN_<LEVEL>` prefix, NUL-terminated.
    fn kern(self) -> &'static [u8] {
        match self {
            Level::Err => b"\x013\0",
            Level::Warn => b"\x014\0",
            Level::Notice => b"\x015\0",
            Level::Info => b"\x016\0",
        }
    }
}

/// Logs a message as it is, with no prefix: `printk(KERN_<LEVEL> "%pA")`, as C code without
/// a `pr_fmt` prints (most of the networking drivers' files; `pr_warn!` and friends put the
/// module's name first).
pub fn log_plain(level: Level, args: fmt::Arguments<'_>) {
    let format: &[u8] = match level {
        Level::Err => b"\x013%pA\0",
        Level::Warn => b"\x014%pA\0",
        Level::Notice => b"\x015%pA\0",
        Level::Info => b"\x016%pA\0",
    };
    // SAFETY: The format is NUL-terminated and takes one `%pA`, which makes vsprintf call back
    // into Rust with `&args`, alive across the call.
    unsafe { bindings::_printk(format.as_ptr().cast(), ptr::from_ref(&args).cast::<core::ffi::c_void>()) };
}

impl Device {
    /// Logs a message about this device as C's `netdev_printk` does: `"<name>: <message>"`
    /// (with the driver and parent device first for devices that have a parent).
    pub fn log(&self, level: Level, args: fmt::Arguments<'_>) {
        let level = level.kern();
        // SAFETY: The level and format are NUL-terminated; `%pA` makes vsprintf call back into
        // Rust with `&args`, which lives across the call.
        unsafe {
            bindings::netdev_printk(
                level.as_ptr().cast(),
                self.as_raw(),
                b"%pA\0".as_ptr().cast(),
                ptr::from_ref(&args).cast::<core::ffi::c_void>(),
            )
        };
    }
}

/// Proof that a device's address list lock (`addr_list_lock`) is held, for as long as the
/// token lives: handed to [`Driver::set_rx_mode`], which the core calls under that lock, or
/// made by [`Device::lock_addr_lists`].
///
/// # Invariants
///
/// `dev`'s `addr_list_lock` is held by this CPU for the lifetime `'a`.
pub struct AddrListsLocked<'a> {
    dev: &'a Device,
    _not_send: PhantomData<*mut ()>,
}

impl<'a> AddrListsLocked<'a> {
    /// The device whose lock is held.
    pub fn dev(&self) -> &'a Device {
        self.dev
    }

    /// # Safety
    ///
    /// `dev`'s address list lock must be held for `'a`.
    pub(crate) unsafe fn assume_held(dev: &'a Device) -> Self {
        // INVARIANT: The caller guarantees the lock is held for `'a`.
        Self { dev, _not_send: PhantomData }
    }
}

/// The address list lock of a device, taken with bottom halves off by
/// [`Device::lock_addr_lists`] and released on drop.
pub struct AddrListsGuard<'a>(AddrListsLocked<'a>);

impl<'a> core::ops::Deref for AddrListsGuard<'a> {
    type Target = AddrListsLocked<'a>;
    fn deref(&self) -> &AddrListsLocked<'a> {
        &self.0
    }
}

impl Drop for AddrListsGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: The lock was taken by `lock_addr_lists` (type invariant) on this CPU.
        unsafe { bindings::netif_addr_unlock_bh(self.0.dev.as_raw()) };
    }
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Device({})", self.name())
    }
}

/// LAG transmit types and hash types for [`LagInfo`] (`enum netdev_lag_tx_type`,
/// `enum netdev_lag_hash`).
pub mod lag {
    use crate::bindings;
    /// Unknown transmit type.
    pub const TX_UNKNOWN: bindings::netdev_lag_tx_type = bindings::netdev_lag_tx_type_NETDEV_LAG_TX_TYPE_UNKNOWN;
    /// Any lower device, in turn.
    pub const TX_RANDOM: bindings::netdev_lag_tx_type = bindings::netdev_lag_tx_type_NETDEV_LAG_TX_TYPE_RANDOM;
    /// Every lower device.
    pub const TX_BROADCAST: bindings::netdev_lag_tx_type = bindings::netdev_lag_tx_type_NETDEV_LAG_TX_TYPE_BROADCAST;
    /// Round-robin.
    pub const TX_ROUNDROBIN: bindings::netdev_lag_tx_type = bindings::netdev_lag_tx_type_NETDEV_LAG_TX_TYPE_ROUNDROBIN;
    /// One active lower device.
    pub const TX_ACTIVEBACKUP: bindings::netdev_lag_tx_type = bindings::netdev_lag_tx_type_NETDEV_LAG_TX_TYPE_ACTIVEBACKUP;
    /// By a hash of the packet.
    pub const TX_HASH: bindings::netdev_lag_tx_type = bindings::netdev_lag_tx_type_NETDEV_LAG_TX_TYPE_HASH;
    /// No hash.
    pub const HASH_NONE: bindings::netdev_lag_hash = bindings::netdev_lag_hash_NETDEV_LAG_HASH_NONE;
    /// Unknown hash.
    pub const HASH_UNKNOWN: bindings::netdev_lag_hash = bindings::netdev_lag_hash_NETDEV_LAG_HASH_UNKNOWN;
}

/// LAG information passed to the stack when a lower device joins its master.
#[derive(Clone, Copy, Debug)]
pub struct LagInfo {
    /// `NETDEV_LAG_TX_TYPE_*`.
    pub tx_type: bindings::netdev_lag_tx_type,
    /// `NETDEV_LAG_HASH_*`.
    pub hash_type: bindings::netdev_lag_hash,
}

/// What a driver does with a frame handed to `ndo_start_xmit`.
///
/// The skb is always consumed (`NETDEV_TX_OK`); drivers that cannot queue a frame drop it and
/// count the drop, as virtual drivers do.
pub type TxResult = ();

/// The operations of a network device driver, and its per-device private data.
///
/// A type implementing `Driver` is the private data of every device the driver creates: it is
/// built in place when the device is allocated ([`Driver::setup`]) and dropped when the device
/// is freed. Callbacks receive the device as a [`DriverDevice<Self>`] and reach the data with
/// [`DriverDevice::data`]. Callbacks the kernel runs under RTNL receive a `&Rtnl`.
#[vtable]
pub trait Driver: Sized + Send + Sync + 'static {
    /// Configures a freshly allocated device and returns the initialiser of its private data.
    ///
    /// Runs before registration, with the device exclusively owned. The initialiser cannot
    /// fail, so it acquires no resources; acquire them in [`Driver::init`] (`ndo_init`).
    fn setup(dev: &mut Setup<'_>) -> impl PinInit<Self>;

    /// `ndo_init`: called once when the device is registered.
    ///
    /// The device is not registered yet, and the core frees a device whose registration fails
    /// at once, whatever references it holds: so `init` gets an [`Unregistered`] view, which
    /// cannot be counted or have work queued on it. (Given a `&DriverDevice`,
    /// `ARef::from(dev)` kept past a failed registration would be a use-after-free; with
    /// `&Unregistered` it does not compile.)
    fn init(_dev: &Unregistered<Self>, _rtnl: &Rtnl) -> Result {
        Ok(())
    }

    /// `ndo_uninit`: called when the device is unregistered.
    ///
    /// Not called when registration fails after `init` succeeded: the core frees that device
    /// without waiting for references, so nothing may be handed a `&DriverDevice` then. The
    /// private data is still dropped, so release what `init` acquired in `Drop`.
    fn uninit(_dev: &DriverDevice<Self>, _rtnl: &Rtnl) {}

    /// `ndo_open`: the device is brought up.
    fn open(_dev: &DriverDevice<Self>, _rtnl: &Rtnl) -> Result {
        Ok(())
    }

    /// `ndo_stop`: the device is brought down.
    fn stop(_dev: &DriverDevice<Self>, _rtnl: &Rtnl) -> Result {
        Ok(())
    }

    /// Whether the device leaves the per-skb offload checks to its lower devices
    /// (`ndo_features_check` is `passthru_features_check`), as stacked devices such as bonding
    /// and team do. Otherwise the core's default applies, which takes the hardware offloads
    /// away from frames with more than one VLAN tag (`dflt_features_check`).
    const FEATURES_PASSTHRU: bool = false;

    /// `ndo_start_xmit`: transmit (or drop) `skb`.
    ///
    /// The kernel calls it with bottom halves (or interrupts) disabled, an RCU read-side
    /// critical section: `rcu` lends it, so RCU-published data can be read without a
    /// `rcu_read_lock` of its own, and `bh` says so to locks that softirqs also take
    /// ([`SpinLockBh::lock_softirqs_off`](crate::sync::SpinLockBh::lock_softirqs_off)).
    fn start_xmit(dev: &DriverDevice<Self>, skb: SkBuff, rcu: &rcu::Guard, bh: &SoftirqsOff) -> TxResult;

    /// `ndo_get_stats64`: fill in the device's statistics; may run in any context.
    fn get_stats64(_dev: &DriverDevice<Self>, _stats: &mut Stats64) {}

    /// `ndo_set_mac_address`: validate and apply a new hardware address (the driver calls
    /// [`DriverDevice::set_hw_addr`]).
    fn set_mac_address(_dev: &DriverDevice<Self>, _rtnl: &Rtnl, _addr: &HwAddr) -> Result {
        Err(EOPNOTSUPP)
    }

    /// `ndo_change_mtu`: validate a new MTU; on success the abstraction stores it.
    fn change_mtu(_dev: &DriverDevice<Self>, _rtnl: &Rtnl, _mtu: u32) -> Result {
        Ok(())
    }

    /// `ndo_set_rx_mode`: runs under the device's address list lock (atomic context), which
    /// `locked` stands for.
    fn set_rx_mode(_dev: &DriverDevice<Self>, _locked: &AddrListsLocked<'_>) {}

    /// `ndo_change_rx_flags`: `IFF_PROMISC`/`IFF_ALLMULTI` in `change` flipped. See
    /// [`RxFlagsContext`] for where it runs.
    fn change_rx_flags(_dev: &DriverDevice<Self>, _ctx: RxFlagsContext<'_>, _change: u32) {}

    /// `ndo_add_slave`: `ip link set <lower> master <dev>`.
    fn add_slave(
        _dev: &DriverDevice<Self>,
        _rtnl: &Rtnl,
        _lower: &Device,
        _extack: Option<&mut ExtAck>,
    ) -> Result {
        Err(EOPNOTSUPP)
    }

    /// `ndo_del_slave`: `ip link set <lower> nomaster`.
    fn del_slave(_dev: &DriverDevice<Self>, _rtnl: &Rtnl, _lower: &Device) -> Result {
        Err(EOPNOTSUPP)
    }

    /// `ndo_fix_features`: adjust the requested features to what the device can do.
    ///
    /// Gets the private data, not the device: the core also calls it from inside
    /// `register_netdevice`, before the device is registered (see [`Driver::init`]).
    fn fix_features(_data: &Self, _rtnl: &Rtnl, features: Features) -> Features {
        features
    }

    /// `ndo_get_xmit_slave`: the lower device `skb` would leave through.
    fn get_xmit_slave<'a>(
        _dev: &'a DriverDevice<Self>,
        _skb: &SkBuff,
        _all_slaves: bool,
        _rcu: &'a rcu::Guard,
    ) -> Option<&'a Device> {
        None
    }

    /// `ndo_vlan_rx_add_vid`: VLAN `vid` of `proto` is in use above this device; a device
    /// that filters VLANs (`NETIF_F_HW_VLAN_*_FILTER`) must now accept it.
    fn vlan_rx_add_vid(_dev: &DriverDevice<Self>, _rtnl: &Rtnl, _proto: VlanProto, _vid: u16) -> Result {
        Ok(())
    }

    /// `ndo_vlan_rx_kill_vid`: VLAN `vid` of `proto` is no longer in use above this device.
    fn vlan_rx_kill_vid(_dev: &DriverDevice<Self>, _rtnl: &Rtnl, _proto: VlanProto, _vid: u16) -> Result {
        Ok(())
    }

    /// `ndo_select_queue`: the transmit queue of this device `skb` goes to; the core caps
    /// the result to the number of queues in use. Runs with bottom halves disabled.
    fn select_queue(_dev: &DriverDevice<Self>, _skb: &SkBuff, _sb_dev: Option<&Device>) -> u16 {
        0
    }

    /// The lower device whose `header_ops` build and parse link-layer headers for this
    /// device, once it took that device's link layer with
    /// [`DriverDevice::adopt_link_layer`]. `None` builds no header.
    fn header_lower<'a>(_dev: &'a DriverDevice<Self>, _rcu: &'a rcu::Guard) -> Option<&'a Device> {
        None
    }

    /// ethtool `get_drvinfo`.
    fn get_drvinfo(_dev: &DriverDevice<Self>, _info: &mut ethtool::DrvInfo) {}

    /// ethtool `get_link_ksettings`.
    fn get_link_ksettings(
        _dev: &DriverDevice<Self>,
        _rtnl: &Rtnl,
        _ks: &mut ethtool::LinkKsettings,
    ) -> Result {
        Err(EOPNOTSUPP)
    }
}

/// The private area of a device driven by `T`.
///
/// # Invariants
///
/// `value` is initialised iff `live` is true. `live` is set once, right after `T::setup`'s
/// initialiser ran, and cleared exactly once, when the value is dropped.
#[repr(C)]
pub(crate) struct Private<T> {
    live: bool,
    value: MaybeUninit<T>,
}

impl<T> Private<T> {
    /// Where `netdev_priv()` puts the private area: after `struct net_device`, aligned to
    /// `NETDEV_ALIGN`.
    pub(crate) const OFFSET: usize = {
        let align = bindings::NETDEV_ALIGN as usize;
        (size_of::<bindings::net_device>() + align - 1) & !(align - 1)
    };

    /// Checked at compile time: `netdev_priv()` only guarantees `NETDEV_ALIGN`.
    const ALIGN_OK: () = assert!(core::mem::align_of::<Self>() <= bindings::NETDEV_ALIGN as usize);

    /// # Safety
    ///
    /// `dev` must be a valid device allocated with a private area of `size_of::<Self>()`.
    pub(crate) unsafe fn of(dev: *mut bindings::net_device) -> *mut Self {
        let () = Self::ALIGN_OK;
        // SAFETY: The private area starts `OFFSET` bytes into the allocation (`netdev_priv`).
        unsafe { dev.cast::<u8>().add(Self::OFFSET).cast() }
    }

    /// Drops the value if it is live.
    ///
    /// # Safety
    ///
    /// Nothing may use the value afterwards; `this` must be valid and exclusively accessed.
    pub(crate) unsafe fn drop_value(this: *mut Self) {
        // SAFETY: Guaranteed by the caller.
        unsafe {
            if (*this).live {
                (*this).live = false;
                ptr::drop_in_place((*this).value.as_mut_ptr());
            }
        }
    }
}

/// A device driven by the driver whose private data is `T`.
///
/// Dereferences to [`Device`] for everything any device can do.
///
/// # Invariants
///
/// The device was allocated by the abstractions in this module for driver `T`: its private area
/// is a [`Private<T>`] whose value is live for as long as callbacks can run.
#[repr(transparent)]
pub struct DriverDevice<T: Driver>(Device, PhantomData<T>);

// SAFETY: `T: Send + Sync`, and the device itself is `Send + Sync`.
unsafe impl<T: Driver> Send for DriverDevice<T> {}
// SAFETY: See above.
unsafe impl<T: Driver> Sync for DriverDevice<T> {}

// SAFETY: Same reference count as `Device`.
unsafe impl<T: Driver> AlwaysRefCounted for DriverDevice<T> {
    #[inline]
    fn inc_ref(&self) {
        self.0.inc_ref();
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference it owns; the layouts are identical.
        unsafe { Device::dec_ref(obj.cast()) };
    }
}

impl<T: Driver> core::ops::Deref for DriverDevice<T> {
    type Target = Device;

    fn deref(&self) -> &Device {
        &self.0
    }
}

/// A device of driver `T` while `register_netdevice` runs its `ndo_init`: what
/// [`Driver::init`] receives.
///
/// If registration fails, the core frees the device at once, whatever references it holds.
/// So this view is neither a [`Device`] nor [`AlwaysRefCounted`]: it cannot be counted, stored,
/// or have work queued on it. It offers what initialisation needs.
///
/// Hence `fn keep<T: Driver>(dev: &Unregistered<T>) -> ARef<Unregistered<T>> { dev.into() }`
/// does not compile (no `AlwaysRefCounted`), nor does reaching a `&Device` to count instead.
///
/// # Invariants
///
/// Same as [`DriverDevice`]; the device is being registered, under RTNL.
#[repr(transparent)]
pub struct Unregistered<T: Driver>(Device, PhantomData<T>);

impl<T: Driver> Unregistered<T> {
    /// # Safety
    ///
    /// `ptr` must be a valid device of driver `T` in `ndo_init`, alive for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `Unregistered` is a transparent wrapper over `Device`; validity is up to
        // the caller.
        unsafe { &*ptr.cast() }
    }

    fn driver_device(&self) -> &DriverDevice<T> {
        // SAFETY: Same device and invariants; the borrow is not handed out (it would let the
        // caller count the device).
        unsafe { DriverDevice::from_raw(self.0.as_raw()) }
    }

    /// The driver's private data.
    pub fn data(&self) -> &T {
        self.driver_device().data()
    }

    /// The device's name (a `%d` pattern is resolved before `ndo_init`).
    pub fn name(&self) -> Name {
        self.0.name()
    }

    /// The hardware address (set by `ip link add ... address`, or all zero).
    pub fn addr(&self) -> HwAddr {
        self.0.addr()
    }

    /// How the address was assigned (`NET_ADDR_*`).
    pub fn addr_assign_type(&self) -> u8 {
        self.0.addr_assign_type()
    }

    /// Gives the device a random locally administered address (`eth_hw_addr_random`).
    pub fn random_hw_addr(&self, rtnl: &Rtnl) {
        self.driver_device().random_hw_addr(rtnl)
    }

    /// Turns the carrier off (`netif_carrier_off`).
    pub fn carrier_off(&self) {
        self.driver_device().carrier_off()
    }
}

impl<T: Driver> DriverDevice<T> {
    /// # Safety
    ///
    /// `ptr` must be a valid device of driver `T` (see the type invariants), alive for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `DriverDevice` is a transparent wrapper over `Device`; validity is up to the
        // caller.
        unsafe { &*ptr.cast() }
    }

    /// The driver's private data. It is pinned in the device allocation; see
    /// [`DriverDevice::data_pinned`] for the pinned view.
    pub fn data(&self) -> &T {
        // SAFETY: By the type invariants the private area holds a live `T`, dropped only when
        // no callback can run, so it outlives this borrow of the device.
        unsafe { (*Private::<T>::of(self.as_raw())).value.assume_init_ref() }
    }

    /// The driver's private data, pinned.
    pub fn data_pinned(&self) -> Pin<&T> {
        // SAFETY: The private data never moves: it is part of the device allocation.
        unsafe { Pin::new_unchecked(self.data()) }
    }

    /// Turns the carrier on (`netif_carrier_on`).
    pub fn carrier_on(&self) {
        // SAFETY: The device is valid.
        unsafe { bindings::netif_carrier_on(self.as_raw()) };
    }

    /// Turns the carrier off (`netif_carrier_off`).
    pub fn carrier_off(&self) {
        // SAFETY: The device is valid.
        unsafe { bindings::netif_carrier_off(self.as_raw()) };
    }

    /// Takes `addr` as this device's address, as an upper device takes its first lower
    /// device's (bonding's `bond_set_dev_addr`): asks the stack first
    /// (`dev_pre_changeaddr_notify`), marks the address `NET_ADDR_STOLEN` and sends
    /// `NETDEV_CHANGEADDR`.
    pub fn take_hw_addr(&self, _rtnl: &Rtnl, addr: &HwAddr) -> Result {
        if addr.as_bytes().len() != usize::from(self.addr_len()) {
            return Err(EINVAL);
        }
        // SAFETY: RTNL is held; the address has the device's length.
        unsafe {
            to_result(bindings::dev_pre_changeaddr_notify(
                self.as_raw(),
                addr.as_bytes().as_ptr(),
                ptr::null_mut(),
            ))?;
            bindings::dev_addr_set_stolen(self.as_raw(), addr.as_bytes().as_ptr(), self.addr_len());
            bindings::call_netdevice_notifiers(
                bindings::netdev_cmd_NETDEV_CHANGEADDR as crate::ffi::c_ulong,
                self.as_raw(),
            );
        }
        Ok(())
    }

    /// Takes the link layer of `lower`, as bonding does when its first slave is not Ethernet
    /// (`bond_setup_by_slave`): the device is closed, takes `lower`'s type, header lengths,
    /// address length and broadcast address, becomes point-to-point (without broadcast,
    /// multicast and ARP) if `lower` is, and is opened again if it was up. Link-layer headers
    /// are then built by the `header_ops` of [`Driver::header_lower`]'s device, or not at all
    /// if `lower` builds none.
    pub fn adopt_link_layer(&self, rtnl: &Rtnl, lower: &Device) {
        let was_up = self.flags() & flags::UP != 0;
        self.close(rtnl);
        let d = self.as_raw();
        let l = lower.as_raw();
        // SAFETY: RTNL is held and the device is down, so nothing reads these fields
        // concurrently in a way that matters (as in C); both devices are valid and `broadcast`
        // holds `MAX_ADDR_LEN` bytes in both.
        unsafe {
            (*d).header_ops = if (*l).header_ops.is_null() {
                ptr::null()
            } else {
                vtable::Adapter::<T>::header_ops()
            };
            (*d).type_ = (*l).type_;
            (*d).hard_header_len = (*l).hard_header_len;
            (*d).needed_headroom = (*l).needed_headroom;
            (*d).addr_len = (*l).addr_len;
            let len = usize::from((*l).addr_len).min(bindings::MAX_ADDR_LEN as usize);
            ptr::copy_nonoverlapping(
                ptr::addr_of!((*l).broadcast).cast::<u8>(),
                ptr::addr_of_mut!((*d).broadcast).cast::<u8>(),
                len,
            );
            if (*l).flags & flags::POINTOPOINT != 0 {
                (*d).flags &= !(flags::BROADCAST | flags::MULTICAST);
                (*d).flags |= flags::POINTOPOINT | flags::NOARP;
            }
        }
        if was_up {
            let _ = self.open(rtnl, None);
        }
    }

    /// Returns the device to an Ethernet link layer (`ether_setup`), keeping the flags in
    /// `keep` and adding those in `set` (bonding's `bond_ether_setup`). Skbs stay unshared on
    /// transmit: `IFF_TX_SKB_SHARING`, which `ether_setup` sets, is cleared again.
    pub fn reset_ether_link_layer(&self, _rtnl: &Rtnl, keep: u32, set: u32) {
        let d = self.as_raw();
        // SAFETY: RTNL is held, which serialises changes to these fields, as in C.
        unsafe {
            let kept = (*d).flags & keep;
            bindings::ether_setup(d);
            (*d).flags |= set | kept;
            let f = bindings::netdev_priv_flags_get(d);
            bindings::netdev_priv_flags_set(d, f & !priv_flags::TX_SKB_SHARING);
        }
    }

    /// Flushes the unicast and multicast address lists (`dev_uc_flush`, `dev_mc_flush`).
    pub fn flush_addr_lists(&self, _rtnl: &Rtnl) {
        // SAFETY: RTNL is held and the device is valid.
        unsafe {
            bindings::dev_uc_flush(self.as_raw());
            bindings::dev_mc_flush(self.as_raw());
        }
    }

    /// Gives the device a new random Ethernet address (`eth_hw_addr_random`).
    pub fn random_hw_addr(&self, _rtnl: &Rtnl) {
        // SAFETY: RTNL is held, which serialises address changes.
        unsafe { bindings::eth_hw_addr_random(self.as_raw()) };
    }

    /// Sets the hardware address (`eth_hw_addr_set`/`dev_addr_set`), for `set_mac_address`.
    pub fn set_hw_addr(&self, _rtnl: &Rtnl, addr: &HwAddr) -> Result {
        if addr.as_bytes().len() != usize::from(self.addr_len()) {
            return Err(EINVAL);
        }
        // SAFETY: RTNL is held, which serialises address changes; the length matches.
        unsafe { bindings::dev_addr_mod(self.as_raw(), 0, addr.as_bytes().as_ptr().cast(), addr.as_bytes().len()) };
        Ok(())
    }

    /// Sets the MTU field directly (no notification), as drivers do in `ndo_change_mtu`.
    pub fn store_mtu(&self, _rtnl: &Rtnl, mtu: u32) {
        // SAFETY: RTNL is held, which serialises MTU changes.
        unsafe { ptr::write_volatile(ptr::addr_of_mut!((*self.as_raw()).mtu), mtu) };
    }

    /// Sets the features the device could have (`hw_features`, `vlan_features`,
    /// `hw_enc_features`), then lets the stack recompute the active set.
    pub fn set_feature_sets(&self, rtnl: &Rtnl, sets: FeatureSets) {
        // SAFETY: RTNL is held, which serialises feature changes.
        unsafe {
            let d = self.as_raw();
            if let Some(f) = sets.hw {
                (*d).hw_features = f.0;
            }
            if let Some(f) = sets.vlan {
                (*d).vlan_features = f.0;
            }
            if let Some(f) = sets.hw_enc {
                (*d).hw_enc_features = f.0;
            }
            if let Some(f) = sets.mpls {
                (*d).mpls_features = f.0;
            }
            if let Some((size, segs)) = sets.tso_max {
                bindings::netif_set_tso_max_size(d, size);
                bindings::netif_set_tso_max_segs(d, segs);
            }
            if let Some((head, tail)) = sets.needed_room {
                (*d).needed_headroom = head;
                (*d).needed_tailroom = tail;
            }
        }
        self.update_features(rtnl);
    }

    /// Sets the number of transmit queues in use (`netif_set_real_num_tx_queues`).
    pub fn set_real_num_tx_queues(&self, _rtnl: &Rtnl, n: u32) -> Result {
        // SAFETY: RTNL is held and the device is valid.
        to_result(unsafe { bindings::netif_set_real_num_tx_queues(self.as_raw(), n) })
    }

    /// Unregisters the device (`unregister_netdevice`); it is freed once the last reference
    /// is gone, after RTNL is released.
    ///
    /// Does nothing if the device is not registered (any more): already unregistered (a
    /// second call, a call from `uninit`, or after `ip link del`) or never registered (from
    /// a failed `init`). `unregister_netdevice_many` would `BUG_ON` such a device.
    pub fn unregister(&self, _rtnl: &Rtnl) {
        // SAFETY: `reg_state` is a field of the valid device, written only under RTNL, which
        // is held.
        let state = unsafe { (*self.as_raw()).reg_state };
        if u32::from(state) != bindings::netdev_reg_state_NETREG_REGISTERED {
            return;
        }
        // SAFETY: RTNL is held and the device is registered (checked just above under RTNL).
        unsafe { bindings::unregister_netdevice_queue(self.as_raw(), ptr::null_mut()) };
    }
}

/// Feature sets to change with [`DriverDevice::set_feature_sets`]; `None` leaves one alone.
#[derive(Default, Clone, Copy)]
pub struct FeatureSets {
    /// `hw_features`.
    pub hw: Option<Features>,
    /// `vlan_features`.
    pub vlan: Option<Features>,
    /// `hw_enc_features`.
    pub hw_enc: Option<Features>,
    /// `mpls_features`.
    pub mpls: Option<Features>,
    /// TSO limits (`netif_set_tso_max_size`/`_segs`): maximum size and maximum segments.
    pub tso_max: Option<(u32, u32)>,
    /// `needed_headroom`, `needed_tailroom`.
    pub needed_room: Option<(u16, u16)>,
}

/// A device being set up: allocated, not yet registered, exclusively owned.
///
/// # Invariants
///
/// `ptr` is a valid device that nothing else accesses while the `Setup` lives.
pub struct Setup<'a> {
    ptr: *mut bindings::net_device,
    _p: PhantomData<&'a mut bindings::net_device>,
}

impl Setup<'_> {
    /// # Safety
    ///
    /// `ptr` must be a valid, unregistered device, exclusively owned for the lifetime.
    pub(crate) unsafe fn new(ptr: *mut bindings::net_device) -> Self {
        Self {
            ptr,
            _p: PhantomData,
        }
    }

    /// Sets up Ethernet defaults (`ether_setup`): type, MTU range, broadcast address, flags.
    pub fn ether_setup(&mut self) {
        // SAFETY: `ptr` is valid and exclusively ours (type invariants).
        unsafe { bindings::ether_setup(self.ptr) };
    }

    /// Gives the device a random locally administered Ethernet address.
    pub fn random_ether_addr(&mut self) {
        // SAFETY: As above.
        unsafe { bindings::eth_hw_addr_random(self.ptr) };
    }

    /// Sets and clears `IFF_*` flags.
    pub fn update_flags(&mut self, set: u32, clear: u32) {
        // SAFETY: As above.
        unsafe { (*self.ptr).flags = ((*self.ptr).flags & !clear) | set };
    }

    /// Sets and clears private flags.
    pub fn update_priv_flags(&mut self, set: u64, clear: u64) {
        // SAFETY: As above.
        unsafe {
            let f = bindings::netdev_priv_flags_get(self.ptr);
            bindings::netdev_priv_flags_set(self.ptr, (f & !clear) | set);
        }
    }

    /// Declares lockless transmit (`dev->lltx`): the core takes no transmit queue lock.
    pub fn set_lltx(&mut self, lltx: bool) {
        // SAFETY: As above.
        unsafe { bindings::netdev_set_lltx(self.ptr, lltx) };
    }

    /// Sets the active, hardware, VLAN and encapsulation feature sets.
    pub fn set_features(&mut self, features: Features, hw: Features, vlan: Features, enc: Features) {
        // SAFETY: As above.
        unsafe {
            (*self.ptr).features = features.0;
            (*self.ptr).hw_features = hw.0;
            (*self.ptr).vlan_features = vlan.0;
            (*self.ptr).hw_enc_features = enc.0;
        }
    }

    /// Sets the MTU limits (0 as `max` means no limit other than the type's).
    pub fn set_mtu_range(&mut self, min: u32, max: u32) {
        // SAFETY: As above.
        unsafe {
            (*self.ptr).min_mtu = min;
            (*self.ptr).max_mtu = max;
        }
    }

    /// Sets the transmit queue length (`tx_queue_len`).
    pub fn set_tx_queue_len(&mut self, len: u32) {
        // SAFETY: As above.
        unsafe { (*self.ptr).tx_queue_len = len };
    }
}

/// Allocates a device for driver `T` and runs its setup (`alloc_netdev_mqs`).
///
/// Returns the raw pointer; the caller registers it or frees it with [`free_unregistered`].
pub(crate) fn alloc<T: Driver>(
    name: &CStr,
    name_assign_type: u8,
    txqs: u32,
    rxqs: u32,
) -> Result<*mut bindings::net_device> {
    // SAFETY: `name` is NUL-terminated; `setup_callback::<T>` is the matching setup function
    // and the private size is that of `Private<T>`.
    let dev = unsafe {
        bindings::alloc_netdev_mqs(
            size_of::<Private<T>>() as i32,
            name.as_char_ptr(),
            name_assign_type,
            Some(vtable::setup_callback::<T>),
            txqs,
            rxqs,
        )
    };
    if dev.is_null() {
        Err(ENOMEM)
    } else {
        Ok(dev)
    }
}

/// Drops the private data of a device that never got registered, then frees the device.
///
/// # Safety
///
/// `dev` must come from [`alloc::<T>`] (or the core's allocation with `T`'s setup) and must not
/// be registered or referenced elsewhere.
pub(crate) unsafe fn free_unregistered<T: Driver>(dev: *mut bindings::net_device) {
    // SAFETY: Guaranteed by the caller.
    unsafe {
        drop_if_never_registered::<T>(dev);
        // After a vetoed registration (unregistering) `free_netdev` only marks the device to
        // be freed by `netdev_run_todo`, after `priv_destructor`.
        bindings::free_netdev(dev);
    }
}

/// Drops the private value of a device whose registration failed, unless the failure went
/// through unregistering (a `NETDEV_REGISTER` veto): then `netdev_run_todo` may still
/// re-broadcast `NETDEV_UNREGISTER` for it, and `priv_destructor` drops the value after that.
///
/// # Safety
///
/// `dev` must be a device of driver `T` whose `register_netdevice` failed, under RTNL.
unsafe fn drop_if_never_registered<T: Driver>(dev: *mut bindings::net_device) {
    // SAFETY: `reg_state` is a field of the valid device, written under RTNL, which is held.
    let state = unsafe { (*dev).reg_state };
    if u32::from(state) == bindings::netdev_reg_state_NETREG_UNINITIALIZED {
        // SAFETY: Never registered, so no callback or notifier can see the device any more;
        // `priv_destructor`, if `register_netdevice` ran it, left the value not live.
        unsafe { Private::<T>::drop_value(Private::<T>::of(dev)) };
    }
}

/// Registers a device allocated for `T` (`register_netdevice`); on failure the private data
/// is dropped (at once, or by `priv_destructor` after a vetoed registration is undone), and
/// the caller still frees the device.
///
/// # Safety
///
/// `dev` must come from [`alloc::<T>`] or the core's allocation with `T`'s setup, and not be
/// registered yet; RTNL must be held.
pub(crate) unsafe fn register<T: Driver>(dev: *mut bindings::net_device) -> Result {
    // SAFETY: Guaranteed by the caller.
    let ret = unsafe { bindings::register_netdevice(dev) };
    if ret != 0 {
        // SAFETY: Registration failed, under RTNL (caller).
        unsafe { drop_if_never_registered::<T>(dev) };
    }
    to_result(ret)
}

/// Delayed work embedded in a driver's private data (bonding's monitors).
///
/// The private data `T` holds a `DelayedWork<DriverDevice<T>, ID>` field declared with
/// [`impl_has_delayed_work!`](crate::impl_has_delayed_work); queueing it with
/// [`workqueue::delayed::enqueue`](crate::workqueue::delayed::enqueue) takes a reference to the
/// device, so the device stays allocated while the work is pending or running. Cancel the work
/// in [`Driver::stop`] or [`Driver::uninit`]: a device with queued work cannot finish
/// unregistering.
pub trait DeviceWork<const ID: u64 = 0>: Driver + HasDelayedWork<ID, Item = DriverDevice<Self>> {
    /// The work function.
    fn run(dev: ARef<DriverDevice<Self>>);
}

// SAFETY: The `delayed_work` of a device is the one in its private data, at `Private::OFFSET`
// plus the offset of `value` plus `T`'s own field offset; the conversions below apply exactly
// those offsets in both directions.
unsafe impl<T: Driver + HasDelayedWork<ID, Item = DriverDevice<T>>, const ID: u64> HasDelayedWork<ID>
    for DriverDevice<T>
{
    type Item = Self;

    unsafe fn delayed_work(this: *const Self) -> *mut bindings::delayed_work {
        // SAFETY: `this` is a valid device of driver `T` (caller), whose private value is live.
        unsafe {
            let private = Private::<T>::of(this.cast_mut().cast());
            T::delayed_work(ptr::addr_of!((*private).value).cast())
        }
    }

    unsafe fn from_delayed_work(work: *mut bindings::delayed_work) -> *const Self {
        // SAFETY: `work` is inside the private value of a device of driver `T` (caller).
        unsafe {
            let value = T::from_delayed_work(work).cast::<u8>();
            let off = Private::<T>::OFFSET + core::mem::offset_of!(Private<T>, value);
            value.sub(off).cast()
        }
    }
}

impl<T: DeviceWork<ID>, const ID: u64> DelayedWorkItem<ID> for DriverDevice<T> {
    type Pointer = ARef<Self>;

    fn run(this: ARef<Self>) {
        T::run(this);
    }
}
