// SPDX-License-Identifier: GPL-2.0

//! IPv6 neighbour discovery: neighbour solicitations built and sent by the kernel's own
//! `ndisc` code, and the solicited-node multicast addresses they go to.
//!
//! C header: [`include/net/ndisc.h`](srctree/include/net/ndisc.h) (`ndisc_ns_create`,
//! `ndisc_send_skb`, `ndisc_mc_map`) and [`include/net/addrconf.h`](srctree/include/net/addrconf.h)
//! (`addrconf_addr_solict_mult`).
//!
//! Bonding's NS monitor probes each `ns_ip6_target` with a neighbour solicitation sent from a
//! slave, and lets backup slaves hear the answers by adding the targets' solicited-node
//! multicast MACs to them.

use super::{
    device::{Device, VlanProto},
    route::{in6_addr, ipv6_enabled},
    SkBuff,
};
use crate::{
    bindings,
    error::{code::*, Result},
};
use core::{marker::PhantomData, ptr::NonNull};

/// `addrconf_addr_solict_mult()`: the solicited-node multicast address of `addr`,
/// `ff02::1:ffXX:XXXX` with the low 24 bits of `addr`.
///
/// # Examples
///
/// ```
/// use kernel::net::ndisc;
///
/// let a = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78];
/// assert_eq!(
///     ndisc::solicited_node(&a),
///     [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x34, 0x56, 0x78]
/// );
/// ```
pub fn solicited_node(addr: &[u8; 16]) -> [u8; 16] {
    let mut m = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0];
    m[13..].copy_from_slice(&addr[13..]);
    m
}

impl Device {
    /// `ndisc_mc_map(addr, buf, dev, 0)`: the link-layer multicast address that IPv6
    /// multicast address `addr` maps to on this device, for devices with 6-byte addresses
    /// (Ethernet's `33:33:` and the low 32 bits). `None` for other devices, or a device
    /// type `ndisc` has no mapping for.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{c_str, net::{ndisc, Device, Net}};
    ///
    /// let lo = Device::get_by_name(Net::init_ns(), c_str!("lo")).ok_or(ENODEV)?;
    /// let m = ndisc::solicited_node(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    /// // lo's address is 6 zero bytes, but loopback is not a type with a multicast mapping.
    /// assert_eq!(lo.ndisc_mc_map(&m), None);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn ndisc_mc_map(&self, addr: &[u8; 16]) -> Option<[u8; 6]> {
        if self.addr_len() != 6 {
            return None;
        }
        let addr = in6_addr(addr);
        let mut buf = [0u8; bindings::MAX_ADDR_LEN as usize];
        // SAFETY: The device is valid; `ndisc_mc_map` writes at most `dev->addr_len` (here 6)
        // bytes into `buf`, which holds `MAX_ADDR_LEN`, and reads `addr`, which is ours.
        let err = unsafe { bindings::ndisc_mc_map(&addr, buf.as_mut_ptr().cast(), self.as_raw()) };
        (err == 0).then(|| [buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]])
    }
}

/// A neighbour solicitation for `target`, made by `ndisc_ns_create()` to go out of a device,
/// and sent to `target`'s solicited-node multicast address by [`Solicitation::send`].
///
/// It borrows its device: the packet points at it without a reference of its own.
///
/// # Invariants
///
/// `skb` was made by `ndisc_ns_create()` for a device that outlives `'a`, and is an
/// unsent neighbour-discovery packet: its transport header is the ICMPv6 message, with
/// headroom for the IPv6 and link-layer headers.
pub struct Solicitation<'a> {
    skb: SkBuff,
    target: [u8; 16],
    src: [u8; 16],
    _dev: PhantomData<&'a Device>,
}

impl<'a> Solicitation<'a> {
    /// `ndisc_ns_create(dev, target, src, 0)`: a solicitation for `target` from `src` (all
    /// zeroes: unspecified, as in duplicate address detection; then the packet carries no
    /// source link-layer address option). Fails with `EAFNOSUPPORT` if IPv6 is disabled, and
    /// `ENOMEM` if no skb could be made (atomic allocation).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{c_str, net::{ndisc::Solicitation, Device, Net}};
    ///
    /// let lo = Device::get_by_name(Net::init_ns(), c_str!("lo")).ok_or(ENODEV)?;
    /// let target = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    /// let mut ns = Solicitation::new(&lo, &target, &[0; 16])?;
    /// // The ICMPv6 message alone, headers to come: type 135, code 0, then the target after
    /// // 4 reserved bytes; an unspecified source carries no options.
    /// let msg = ns.skb().linear_data();
    /// assert_eq!(msg.len(), 24);
    /// assert_eq!(&msg[..2], &[135, 0]);
    /// assert_eq!(&msg[8..], &target);
    /// ns.put_vlan_tag(kernel::net::device::VlanProto::CTAG, 7);
    /// assert_eq!(ns.skb().vlan_tci(), Some(7));
    /// // Not sent: dropping it frees it.
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(dev: &'a Device, target: &[u8; 16], src: &[u8; 16]) -> Result<Self> {
        if !ipv6_enabled() {
            return Err(super::route::no_ipv6());
        }
        let (t, s) = (in6_addr(target), in6_addr(src));
        // SAFETY: `dev` is a live device; both addresses are ours and only read.
        let skb = unsafe { bindings::ndisc_ns_create(dev.as_raw(), &t, &s) };
        let skb = NonNull::new(skb).ok_or(ENOMEM)?;
        // INVARIANT: A new neighbour-discovery skb for `dev`, which is borrowed for `'a`.
        Ok(Self {
            // SAFETY: A non-NULL result is a new skb we own, unshared.
            skb: unsafe { SkBuff::from_raw(skb.as_ptr()) },
            target: *target,
            src: *src,
            _dev: PhantomData,
        })
    }

    /// The packet as it is so far (the ICMPv6 message).
    pub fn skb(&self) -> &SkBuff {
        &self.skb
    }

    /// Tags the packet for VLAN `vid` out of band (`__vlan_hwaccel_put_tag`), for a probe
    /// whose route goes through a VLAN device above the one it is sent from.
    pub fn put_vlan_tag(&mut self, proto: VlanProto, vid: u16) {
        self.skb.put_vlan_tag(proto, vid);
    }

    /// `ndisc_send_skb()`: adds the IPv6 header and sends the solicitation to the target's
    /// solicited-node multicast address, through the netfilter hooks and the device's
    /// neighbour output. Consumed either way; dropped if the device is no longer registered.
    pub fn send(self) {
        let dest = in6_addr(&solicited_node(&self.target));
        let src = in6_addr(&self.src);
        // SAFETY: The skb is an unsent ND packet from `ndisc_ns_create()` whose device is alive
        // (type invariants); the helper checks that the device is still registered (its
        // namespace and ndisc socket exist) under RCU, and consumes the skb in every case.
        unsafe { bindings::ndisc_send_registered(self.skb.into_raw(), &dest, &src) }
    }
}
