// SPDX-License-Identifier: GPL-2.0

//! ARP packets for Ethernet and IPv4, built and sent by the kernel's own ARP code.
//!
//! C header: [`include/net/arp.h`](srctree/include/net/arp.h) (`arp_create`, `arp_xmit`).
//!
//! Drivers that speak for their peers (bonding's ARP monitor probes and balance-alb's client
//! updates) send ARP requests and replies from a chosen device with chosen addresses. The
//! packet is made by `arp_create()`, so its link-layer header is the device's own.

use super::{device::Device, SkBuff};
use crate::{
    bindings,
    error::{code::*, Result},
};
use core::ptr;

/// `ARPOP_REQUEST`.
pub const REQUEST: u16 = bindings::ARPOP_REQUEST as u16;
/// `ARPOP_REPLY`.
pub const REPLY: u16 = bindings::ARPOP_REPLY as u16;

/// The addresses of an Ethernet/IPv4 ARP packet. IPv4 addresses are in network byte order
/// (as on the wire); a missing hardware address is what `arp_create()` puts in its place.
#[derive(Clone, Copy, Debug)]
pub struct Addresses<'a> {
    /// The address the frame goes to; `None` for broadcast.
    pub dest_hw: Option<&'a [u8; 6]>,
    /// The sender's hardware address; `None` for the device's own.
    pub src_hw: Option<&'a [u8; 6]>,
    /// The sender's IPv4 address.
    pub src_ip: [u8; 4],
    /// The target's hardware address; `None` for zeroes (a request).
    pub target_hw: Option<&'a [u8; 6]>,
    /// The target's IPv4 address.
    pub dest_ip: [u8; 4],
}

/// `arp_create()`: an ARP packet with operation `op` ([`REQUEST`] or [`REPLY`]) to go out
/// through `dev`, with the device's link-layer header.
///
/// Fails with `EINVAL` unless `dev` has 6-byte hardware addresses (the addresses above are
/// Ethernet's), and with `ENOMEM` if no skb could be made (atomic allocation).
///
/// # Examples
///
/// ```
/// use kernel::c_str;
/// use kernel::net::{arp, Device, Net};
///
/// let lo = Device::get_by_name(Net::init_ns(), c_str!("lo")).ok_or(ENODEV)?;
/// let addrs = arp::Addresses {
///     dest_hw: None,
///     src_hw: Some(&[0x02, 0, 0, 0, 0, 0x01]),
///     src_ip: [10, 0, 0, 1],
///     target_hw: Some(&[0x02, 0, 0, 0, 0, 0x02]),
///     dest_ip: [10, 0, 0, 2],
/// };
/// let skb = arp::create(arp::REPLY, &lo, &addrs)?;
/// // After the 14-byte Ethernet header: protocol IPv4, 6- and 4-byte addresses, a reply,
/// // then sender and target.
/// let arp = &skb.linear_data()[14..];
/// assert_eq!(&arp[2..8], &[0x08, 0x00, 6, 4, 0, 2]);
/// assert_eq!(&arp[8..18], &[0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1]);
/// assert_eq!(&arp[18..28], &[0x02, 0, 0, 0, 0, 0x02, 10, 0, 0, 2]);
/// assert_eq!(skb.protocol(), kernel::net::skb::eth_p::ARP);
/// // Through a VLAN, the tag goes out of band.
/// let mut skb = skb;
/// skb.put_vlan_tag(kernel::net::device::VlanProto::CTAG, 5);
/// assert_eq!(skb.vlan_tci(), Some(5));
/// // Not sent: dropping it frees it.
/// # Ok::<(), Error>(())
/// ```
pub fn create(op: u16, dev: &Device, addrs: &Addresses<'_>) -> Result<SkBuff> {
    if dev.addr_len() != 6 {
        return Err(EINVAL);
    }
    let hw = |a: Option<&[u8; 6]>| a.map_or(ptr::null(), |a| a.as_ptr());
    // SAFETY: `dev` is a live device whose hardware addresses are 6 bytes, the length
    // `arp_create()` reads from each non-NULL address; NULL ones are allowed (broadcast, the
    // device's own, zeroes).
    let skb = unsafe {
        bindings::arp_create(
            i32::from(op),
            bindings::ETH_P_ARP as i32,
            u32::from_ne_bytes(addrs.dest_ip),
            dev.as_raw(),
            u32::from_ne_bytes(addrs.src_ip),
            hw(addrs.dest_hw),
            hw(addrs.src_hw),
            hw(addrs.target_hw),
        )
    };
    let skb = ptr::NonNull::new(skb).ok_or(ENOMEM)?;
    // SAFETY: A non-NULL result is a new skb we own, unshared.
    Ok(unsafe { SkBuff::from_raw(skb.as_ptr()) })
}

/// `arp_xmit()`: sends an ARP packet made by [`create`] (through the ARP netfilter hooks,
/// then `dev_queue_xmit`). The skb is consumed either way.
pub fn xmit(skb: SkBuff) {
    // SAFETY: We give up our reference to a valid ARP skb with its device set; `arp_xmit`
    // consumes it in every case.
    unsafe { bindings::arp_xmit(skb.into_raw()) }
}
