// SPDX-License-Identifier: GPL-2.0

//! IPv4 and IPv6 routes and addresses, as a driver that speaks for its peers asks about them.
//!
//! C headers: [`include/net/route.h`](srctree/include/net/route.h) (`ip_route_output`,
//! `ip_rt_put`), [`include/linux/inetdevice.h`](srctree/include/linux/inetdevice.h)
//! (`inet_confirm_addr`), [`include/net/ip6_route.h`](srctree/include/net/ip6_route.h)
//! (`ip6_route_output`) and [`include/net/addrconf.h`](srctree/include/net/addrconf.h)
//! (`ipv6_dev_get_saddr`, `ipv6_chk_addr`).
//!
//! Bonding's ARP and NS monitors ask which device the route to each target goes out of (the
//! bond, or a VLAN above it), and which of that device's addresses to send their probes from.

use super::{namespace::Net, Device};
use crate::{bindings, error::Result, sync::rcu};
use core::ptr::NonNull;

/// `RT_SCOPE_LINK`: a route to a destination on a directly attached link.
pub const SCOPE_LINK: u8 = bindings::rt_scope_t_RT_SCOPE_LINK as u8;

/// An IPv4 output route (`struct rtable`), held until dropped (`ip_rt_put`).
///
/// # Invariants
///
/// `rt` is a route the value holds a reference to.
pub struct RouteV4 {
    rt: NonNull<bindings::rtable>,
}

impl RouteV4 {
    /// `ip_route_output()`: the route from this host to `daddr` (network byte order) in
    /// `net`, for any source address, output device and TOS, at `scope`. Fails with the
    /// routing error (`ENETUNREACH`, ...) if there is none.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::net::{route::{self, RouteV4}, Net};
    ///
    /// // The KUnit kernel has no route yet but the local ones; TEST-NET-3 is not among them.
    /// assert!(RouteV4::output(Net::init_ns(), [203, 0, 113, 1], route::SCOPE_LINK).is_err());
    /// ```
    pub fn output(net: &Net, daddr: [u8; 4], scope: u8) -> Result<Self> {
        // SAFETY: `net` is a live namespace (it is borrowed); the helper builds the flow key
        // on its stack and returns a held route or an `ERR_PTR`.
        let rt = unsafe { bindings::ip_route_output(net.as_raw(), u32::from_ne_bytes(daddr), 0, 0, 0, scope) };
        let rt = crate::error::from_err_ptr(rt)?;
        // INVARIANT: Not an error, so a held route. `from_err_ptr` lets NULL through, which
        // `ip_route_output` never returns; it would be `EINVAL`.
        NonNull::new(rt).map(|rt| Self { rt }).ok_or(crate::error::code::EINVAL)
    }

    /// The device the route goes out of (`rt->dst.dev`), for `guard`'s RCU read-side section.
    ///
    /// The route keeps a device, but not always the same one: when that device unregisters,
    /// the route is moved to `blackhole_netdev`. The device read here stays valid until the
    /// section ends, since an unregistering device is released only after a grace period
    /// that follows the move (`unregister_netdevice_many_notify()`'s second
    /// `synchronize_net()`).
    pub fn dev<'a>(&self, _guard: &'a rcu::Guard) -> &'a Device {
        // SAFETY: The route is held (type invariants), so `dst.dev` is a device (the route's
        // own, or the blackhole device) that stays valid for the read-side section, which
        // outlives `'a` (see above).
        unsafe { Device::from_raw(bindings::rt_dst_dev(self.rt.as_ptr())) }
    }
}

impl Drop for RouteV4 {
    fn drop(&mut self) {
        // SAFETY: The reference held (type invariants) is given up.
        unsafe { bindings::ip_rt_put(self.rt.as_ptr()) };
    }
}

/// `ipv6_mod_enabled()`: `false` when IPv6 is disabled at boot (`ipv6.disable=1`), when
/// neither IPv6 routes nor neighbour discovery exist.
pub fn ipv6_enabled() -> bool {
    // SAFETY: Reads a flag set once at boot.
    unsafe { bindings::ipv6_mod_enabled() }
}

/// A `struct in6_addr` holding `addr` (network byte order), aligned as C reads it.
pub(crate) fn in6_addr(addr: &[u8; 16]) -> bindings::in6_addr {
    bindings::in6_addr { in6_u: bindings::in6_addr__bindgen_ty_1 { u6_addr8: *addr } }
}

/// The 16 bytes of a `struct in6_addr`.
pub(crate) fn in6_bytes(addr: &bindings::in6_addr) -> [u8; 16] {
    // SAFETY: Every member of the union is a plain integer array covering the same 16
    // bytes, so its bytes are always initialised.
    unsafe { addr.in6_u.u6_addr8 }
}

/// `EAFNOSUPPORT`: IPv6 is disabled.
pub(crate) fn no_ipv6() -> crate::error::Error {
    crate::error::Error::from_errno(-(bindings::EAFNOSUPPORT as i32))
}

/// An IPv6 output route (`struct dst_entry`), held until dropped (`dst_release`).
///
/// # Invariants
///
/// `dst` is a route the value holds a reference to.
pub struct RouteV6 {
    dst: NonNull<bindings::dst_entry>,
}

impl RouteV6 {
    /// `ip6_route_output()`: the route from this host to `daddr` in `net`, for any source
    /// address and output device. Fails with the routing error (`ENETUNREACH`, ...) if there
    /// is none, and with `EAFNOSUPPORT` if IPv6 is disabled.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::net::{route::RouteV6, Net};
    ///
    /// // The KUnit kernel has no IPv6 route but the local ones; 2001:db8::1 is not among them.
    /// let doc = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    /// assert!(RouteV6::output(Net::init_ns(), &doc).is_err());
    /// ```
    pub fn output(net: &Net, daddr: &[u8; 16]) -> Result<Self> {
        if !ipv6_enabled() {
            return Err(no_ipv6());
        }
        let daddr = in6_addr(daddr);
        // SAFETY: `net` is a live namespace (it is borrowed) and IPv6 is enabled, so its
        // routing tables exist; the helper copies `daddr` into its flow key. The result is a
        // held route or an `ERR_PTR`.
        let dst = unsafe { bindings::ip6_route_output_daddr(net.as_raw(), &daddr) };
        let dst = crate::error::from_err_ptr(dst)?;
        // INVARIANT: Not an error, so a held route (`ip6_route_output` never returns NULL).
        NonNull::new(dst).map(|dst| Self { dst }).ok_or(crate::error::code::EINVAL)
    }

    /// The device the route goes out of (`dst->dev`), for `guard`'s RCU read-side section
    /// (see [`RouteV4::dev`]: an unregistering device's routes move to `blackhole_netdev`
    /// before it is released, after a grace period).
    pub fn dev<'a>(&self, _guard: &'a rcu::Guard) -> &'a Device {
        // SAFETY: The route is held (type invariants), so `dst->dev` is a device (the route's
        // own, or the blackhole device) that stays valid for the read-side section.
        unsafe { Device::from_raw(bindings::dst_dev_rcu(self.dst.as_ptr())) }
    }
}

impl Drop for RouteV6 {
    fn drop(&mut self) {
        // SAFETY: The reference held (type invariants) is given up.
        unsafe { bindings::dst_release(self.dst.as_ptr()) };
    }
}

impl Device {
    /// `ipv6_dev_get_saddr(dev_net(dev), dev, daddr, 0, &saddr)`, for `guard`'s RCU
    /// read-side section: the address of this device (or of its namespace, by the source
    /// address selection rules) to send from towards `daddr`. `None` if there is none, if IPv6
    /// is disabled, or if the device is not registered.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{c_str, net::{Device, Net}, sync::rcu};
    ///
    /// let lo = Device::get_by_name(Net::init_ns(), c_str!("lo")).ok_or(ENODEV)?;
    /// let guard = rcu::read_lock();
    /// let doc = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    /// // The KUnit kernel's only IPv6 address is lo's ::1, which is not for a global peer.
    /// assert!(lo.ipv6_source_for(&doc, &guard).is_none());
    /// assert!(!lo.has_ipv6_addr(&doc, &guard));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn ipv6_source_for(&self, daddr: &[u8; 16], _guard: &rcu::Guard) -> Option<[u8; 16]> {
        if !ipv6_enabled() {
            return None;
        }
        let daddr = in6_addr(daddr);
        let mut saddr = in6_addr(&[0; 16]);
        // SAFETY: The device is valid and the caller is in an RCU read-side section (`guard`);
        // the helper reads the namespace only while the device is registered. Both addresses
        // are ours, `saddr` writable.
        let err = unsafe { bindings::ipv6_dev_get_saddr_rcu(self.as_raw(), &daddr, &mut saddr) };
        (err == 0).then(|| in6_bytes(&saddr))
    }

    /// `ipv6_chk_addr(dev_net(dev), addr, dev, 0)`, for `guard`'s RCU read-side section:
    /// `true` if this device holds the IPv6 address `addr`. `false` if IPv6 is disabled or
    /// the device is not registered.
    pub fn has_ipv6_addr(&self, addr: &[u8; 16], _guard: &rcu::Guard) -> bool {
        if !ipv6_enabled() {
            return false;
        }
        let addr = in6_addr(addr);
        // SAFETY: As in `ipv6_source_for`.
        unsafe { bindings::ipv6_chk_addr_rcu(self.as_raw(), &addr) }
    }

    /// `inet_confirm_addr(dev_net(dev), dev's in_device, dst, local, RT_SCOPE_HOST)`, for
    /// `guard`'s RCU read-side section: with `local` zero, the address of this device to use
    /// as the source towards `dst` (a zero `dst` takes any); with `local` given, `local` if
    /// this device has that address. `None` if it has no such address, has no IPv4
    /// configuration, or is not registered (its namespace may then be gone).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{c_str, net::{Device, Net}, sync::rcu};
    ///
    /// let lo = Device::get_by_name(Net::init_ns(), c_str!("lo")).ok_or(ENODEV)?;
    /// let guard = rcu::read_lock();
    /// assert!(lo.confirm_ipv4_addr([0; 4], [203, 0, 113, 9], &guard).is_none());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn confirm_ipv4_addr(&self, dst: [u8; 4], local: [u8; 4], _guard: &rcu::Guard) -> Option<[u8; 4]> {
        // SAFETY: The device is valid; the caller is in an RCU read-side section (`guard`),
        // which `__in_dev_get_rcu` and `inet_confirm_addr` need, and the helper reads the
        // namespace only while the device is registered.
        let addr = unsafe {
            bindings::inet_confirm_addr_rcu(self.as_raw(), u32::from_ne_bytes(dst), u32::from_ne_bytes(local))
        };
        (addr != 0).then(|| addr.to_ne_bytes())
    }

    /// The network namespace the device lives in, for `guard`'s RCU read-side section;
    /// `None` if the device is not registered (its namespace may then be gone). A
    /// registered device's namespace outlives any read-side section that saw it registered:
    /// unregistering waits for a grace period before the device leaves it.
    pub fn net_rcu<'a>(&self, _guard: &'a rcu::Guard) -> Option<&'a Net> {
        // SAFETY: The device is valid; the helper returns its namespace only while it is
        // registered.
        let net = unsafe { bindings::dev_net_registered(self.as_raw()) };
        // SAFETY: See above: the namespace stays for the read-side section, which outlives
        // `'a`.
        (!net.is_null()).then(|| unsafe { Net::from_raw(net) })
    }
}
