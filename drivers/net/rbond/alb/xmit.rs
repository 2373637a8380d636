// SPDX-License-Identifier: GPL-2.0

//! balance-tlb and balance-alb on the data path: bond_alb.c's `bond_xmit_tlb_slave_get()`,
//! `bond_xmit_alb_slave_get()`, `bond_do_alb_xmit()`, `rlb_arp_xmit()` and `rlb_arp_recv()`.
//!
//! A frame the table does not balance (multicast, non-IP, and in alb broadcast, IGMP, the
//! IPv6 all-nodes group, neighbour discovery and DAD) leaves through the active slave; a
//! balanced frame on another slave carries that slave's source address.

use super::{active_key, by_key, candidates, log_orphans, rlb};
use crate::bond::{Bond, BondDev};
use crate::slave::Slave;
use crate::xor;
use kernel::{
    net::{
        arp,
        device::VlanProto,
        skb::{eth_p, SkBuff},
    },
    sync::{
        lock::{
            spinlock_bh::{SoftirqsOff, SpinLockBhBackend},
            Guard,
        },
        rcu, Arc,
    },
};

/// `IPPROTO_IGMP`.
const IPPROTO_IGMP: u8 = 2;
/// `IPPROTO_ICMPV6`.
const IPPROTO_ICMPV6: u8 = 58;
/// `NDISC_NEIGHBOUR_SOLICITATION` and `_ADVERTISEMENT`.
const NDISC_NS: u8 = 135;
const NDISC_NA: u8 = 136;
/// `mac_v6_allmcast`: the IPv6 all-nodes group's MAC.
const MAC_V6_ALLMCAST: [u8; 6] = [0x33, 0x33, 0x00, 0x00, 0x00, 0x01];
/// `RLB_ARP_BURST_SIZE`: ARP replies per client update.
const ARP_BURST: usize = 2;

/// `_simple_hash()`: the XOR of the bytes.
fn simple_hash(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |h, b| h ^ b)
}

/// The frame's destination MAC (`skb_eth_hdr()`: on transmit `data` is at the Ethernet
/// header), if the frame is long enough to have one.
#[inline]
fn eth_dest(skb: &SkBuff) -> Option<[u8; 6]> {
    skb.read::<6>(0)
}

/// Reads `N` bytes at `at` from the network header.
fn read_net<const N: usize>(skb: &SkBuff, at: usize) -> Option<[u8; N]> {
    let off = usize::try_from(skb.network_offset()).ok()?;
    skb.read::<N>(off + at)
}

/// alb_determine_nd(): an IPv6 neighbour solicitation or advertisement, or a packet too
/// short to tell.
fn is_nd(skb: &SkBuff) -> bool {
    let Some(ip6) = read_net::<40>(skb, 0) else { return true };
    if ip6[6] != IPPROTO_ICMPV6 {
        return false;
    }
    match read_net::<1>(skb, 40) {
        Some([t]) => t == NDISC_NA || t == NDISC_NS,
        None => true,
    }
}

/// The mode's tables, locked: on the transmit path (`off`, where bottom halves are off) with
/// a plain `spin_lock()`, as C's `tlb_choose_channel()` and `rlb_choose_channel()` take it.
fn tables<'a>(bond: &'a Bond, off: Option<&'a SoftirqsOff>) -> Guard<'a, super::Tables, SpinLockBhBackend> {
    match off {
        Some(off) => bond.alb.lock_softirqs_off(off),
        None => bond.alb.lock(),
    }
}

/// The slave a free bucket's frame goes to, through the transmit table (`None`: the table
/// is gone, or no slave can take the bucket). Inlined into both callers, as C's
/// `tlb_choose_channel()` is.
#[inline(always)]
fn table_slave<'a>(
    bond: &Bond,
    slaves: &'a [Arc<Slave>],
    index: u8,
    len: u32,
    off: Option<&SoftirqsOff>,
) -> Option<&'a Arc<Slave>> {
    let key = tables(bond, off).tx.as_mut()?.choose(index, len, candidates(slaves))?;
    by_key(slaves, key)
}

/// `usable_slaves[hash % count]`, for `tlb_dynamic_lb 0`.
fn usable_slave<'a>(bond: &'a Bond, skb: &SkBuff, guard: &'a rcu::Guard) -> Option<&'a Arc<Slave>> {
    let usable = bond.usable_slaves(guard);
    if usable.is_empty() {
        return None;
    }
    usable.get(xor::xmit_hash(bond, skb) as usize % usable.len())
}

/// bond_xmit_tlb_slave_get(): IPv4 and IPv6 unicast (but neighbour discovery) by the
/// transmit hash; `None` for the active slave. `off`: called from the transmit path.
#[inline]
pub(crate) fn tlb_slave_get<'a>(
    bond: &'a Bond,
    skb: &SkBuff,
    guard: &'a rcu::Guard,
    off: Option<&SoftirqsOff>,
) -> Option<&'a Arc<Slave>> {
    if eth_dest(skb).map_or(true, |d| d[0] & 1 != 0) {
        return None;
    }
    match skb.protocol() {
        eth_p::IPV6 if is_nd(skb) => None,
        eth_p::IP | eth_p::IPV6 => {
            if bond.params.tlb_dynamic_lb.get() != 0 {
                let hash = xor::xmit_hash(bond, skb);
                table_slave(bond, bond.slaves(guard), hash as u8, skb.len(), off)
            } else {
                usable_slave(bond, skb, guard)
            }
        }
        _ => None,
    }
}

/// The bucket balance-alb puts a frame in, `_simple_hash()` of its destination address;
/// `None` for the frames it leaves to the active slave.
#[inline]
fn alb_hash(skb: &SkBuff) -> Option<u8> {
    if skb.protocol() == eth_p::IP {
        if let Some(hash) = alb_hash_ipv4_linear(skb) {
            return hash;
        }
    }
    let dest = eth_dest(skb)?;
    match skb.protocol() {
        eth_p::IP => {
            if dest == [0xff; 6] {
                return None;
            }
            // The protocol (byte 9) and the destination (16..20) of the IPv4 header.
            let iph = read_net::<11>(skb, 9)?;
            let daddr = [iph[7], iph[8], iph[9], iph[10]];
            (daddr != [0xff; 4] && iph[0] != IPPROTO_IGMP).then(|| simple_hash(&daddr))
        }
        eth_p::IPV6 => {
            if dest == [0xff; 6] || dest == MAC_V6_ALLMCAST || is_nd(skb) {
                return None;
            }
            let ip6 = read_net::<40>(skb, 0)?;
            // DAD probes come from the unspecified address.
            if ip6[8..24].iter().all(|&b| b == 0) {
                return None;
            }
            Some(simple_hash(&ip6[24..40]))
        }
        _ => None,
    }
}

/// [`alb_hash`] for IPv4 with the Ethernet and IPv4 headers in the linear part (the common
/// case), read in place with word loads as C's `eth_hdr()` and `ip_hdr()` are; `None` if
/// they are not linear.
#[inline(always)]
fn alb_hash_ipv4_linear(skb: &SkBuff) -> Option<Option<u8>> {
    let data = skb.linear_data();
    let off = usize::try_from(skb.network_offset()).ok()?;
    let eth = data.get(..6)?;
    let iph = data.get(off..off.wrapping_add(20))?;
    let word = |b: &[u8]| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
    let broadcast = word(&eth[..4]) == u32::MAX && eth[4] & eth[5] == 0xff;
    let daddr = word(&iph[16..20]);
    if broadcast || daddr == u32::MAX || iph[9] == IPPROTO_IGMP {
        return Some(None);
    }
    // The XOR of the four bytes, folded in the word.
    let x = daddr ^ (daddr >> 16);
    Some(Some((x ^ (x >> 8)) as u8))
}

/// bond_xmit_alb_slave_get(), but for ARP (which [`alb_xmit`] steers first): `None` for the
/// active slave. `off`: called from the transmit path.
#[inline(always)]
pub(crate) fn alb_slave_get<'a>(
    bond: &'a Bond,
    skb: &SkBuff,
    guard: &'a rcu::Guard,
    off: Option<&SoftirqsOff>,
) -> Option<&'a Arc<Slave>> {
    let index = alb_hash(skb)?;
    if bond.params.tlb_dynamic_lb.get() == 0 {
        return usable_slave(bond, skb, guard);
    }
    table_slave(bond, bond.slaves(guard), index, skb.len(), off)
}

/// bond_tlb_xmit().
#[inline]
pub(crate) fn tlb_xmit(dev: &BondDev, skb: SkBuff, guard: &rcu::Guard, off: &SoftirqsOff) {
    let slave = tlb_slave_get(dev.data(), &skb, guard, Some(off));
    do_alb_xmit(dev, skb, slave, guard, off);
}

/// bond_alb_xmit().
#[inline]
pub(crate) fn alb_xmit(dev: &BondDev, mut skb: SkBuff, guard: &rcu::Guard, off: &SoftirqsOff) {
    let slave = if skb.protocol() == eth_p::ARP {
        if dev.data().rlb_rx.load(core::sync::atomic::Ordering::Relaxed) {
            arp_xmit(dev, &mut skb, guard, off)
        } else {
            None
        }
    } else {
        alb_slave_get(dev.data(), &skb, guard, Some(off))
    };
    do_alb_xmit(dev, skb, slave, guard, off);
}

/// bond_do_alb_xmit(): a frame no slave was chosen for goes through the active slave (and
/// counts as unbalanced); one on another slave carries that slave's address. A chosen slave
/// that cannot transmit loses its buckets, and the frame is dropped.
#[inline(always)]
fn do_alb_xmit(dev: &BondDev, mut skb: SkBuff, slave: Option<&Arc<Slave>>, guard: &rcu::Guard, off: &SoftirqsOff) {
    let bond = dev.data();
    let dynamic = || bond.params.tlb_dynamic_lb.get() != 0;
    let curr = bond.curr_active(guard);
    let slave = match slave {
        Some(s) => Some(s),
        None => {
            if dynamic() {
                if let Some(tx) = bond.alb.lock_softirqs_off(off).tx.as_mut() {
                    tx.add_unbalanced(skb.len());
                }
            }
            curr
        }
    };
    let Some(s) = slave else { return crate::xmit::tx_drop(dev, skb) };
    if s.can_tx() {
        if !curr.map_or(false, |c| Arc::ptr_eq(c, s)) && skb.write(6, s.dev.addr().as_bytes()).is_err() {
            return crate::xmit::tx_drop(dev, skb);
        }
        return crate::xmit::queue_xmit(skb, &s.dev);
    }
    if dynamic() {
        if let Some(tx) = bond.alb.lock_softirqs_off(off).tx.as_mut() {
            tx.clear_slave(s.key(), false);
        }
    }
    crate::xmit::tx_drop(dev, skb)
}

/// `struct arp_pkt` of an Ethernet/IPv4 ARP at `at` in the skb.
fn parse_arp(skb: &SkBuff, at: usize) -> Option<rlb::Arp> {
    let b = skb.read::<28>(at)?;
    let mut a = rlb::Arp { op: u16::from_be_bytes([b[6], b[7]]), mac_src: [0; 6], ip_src: [0; 4], mac_dst: [0; 6], ip_dst: [0; 4] };
    a.mac_src.copy_from_slice(&b[8..14]);
    a.ip_src.copy_from_slice(&b[14..18]);
    a.mac_dst.copy_from_slice(&b[18..24]);
    a.ip_dst.copy_from_slice(&b[24..28]);
    Some(a)
}

/// rlb_update_client(): [`ARP_BURST`] ARP replies to the client, from its slave's address.
pub(crate) fn send_client_update(slaves: &[Arc<Slave>], u: &rlb::ClientUpdate) {
    let Some(s) = by_key(slaves, u.slave) else { return };
    let own = s.dev.addr();
    let Ok(own) = <&[u8; 6]>::try_from(own.as_bytes()) else { return };
    let addrs = arp::Addresses {
        dest_hw: Some(&u.mac_dst),
        src_hw: Some(own),
        src_ip: u.ip_src,
        target_hw: Some(&u.mac_dst),
        dest_ip: u.ip_dst,
    };
    for _ in 0..ARP_BURST {
        let Ok(mut skb) = arp::create(arp::REPLY, &s.dev, &addrs) else {
            crate::log_slave!(s.bond, s.dev, Err, "failed to create an ARP packet\n");
            continue;
        };
        if u.vlan_id != 0 {
            skb.put_vlan_tag(VlanProto::CTAG, u.vlan_id);
        }
        arp::xmit(skb);
    }
}

/// rlb_arp_xmit(): an ARP the bond itself sends (its sender address is a slave's). A reply
/// leaves through its client's slave, with that slave's address as sender; a request makes
/// an entry for the client to come. ARPs of a bridge above the bond are left alone.
fn arp_xmit<'a>(dev: &'a BondDev, skb: &mut SkBuff, guard: &'a rcu::Guard, off: &SoftirqsOff) -> Option<&'a Arc<Slave>> {
    let bond = dev.data();
    let net_off = usize::try_from(skb.network_offset()).ok()?;
    let arp = parse_arp(skb, net_off)?;
    let slaves = bond.slaves(guard);
    if !slaves.iter().any(|s| s.dev.addr().as_bytes() == arp.mac_src) {
        return None;
    }
    if dev.find_ipv4_owner(arp.ip_src, guard).map_or(false, |d| d.is_any_bridge_master()) {
        return None;
    }
    let bond_addr = dev.addr();
    let has_bond_mac = |key: u32| by_key(slaves, key).map_or(false, |s| s.dev.addr() == bond_addr);
    let vlan_id = skb.vlan_tci().unwrap_or(0);
    let (key, orphans) = {
        let mut tables = bond.alb.lock_softirqs_off(off);
        let rx = tables.rx.as_mut()?;
        rx.arp_xmit(&arp, vlan_id, active_key(bond, guard), candidates(slaves), &has_bond_mac, &mut |u| {
            send_client_update(slaves, u)
        })
    };
    log_orphans(dev, orphans);
    let slave = by_key(slaves, key?)?;
    if arp.op == rlb::ARPOP_REPLY {
        let own = slave.dev.addr();
        if own.as_bytes() != arp.mac_src && skb.write(net_off as isize + 8, own.as_bytes()).is_err() {
            return None;
        }
    }
    Some(slave)
}

/// rlb_arp_recv(): an ARP received on a slave of a balance-alb bond updates the clients.
pub(crate) fn arp_received(bond: &Bond, skb: &SkBuff) {
    if skb.protocol() != eth_p::ARP {
        return;
    }
    let Some(arp) = parse_arp(skb, 0) else { return };
    if let Some(rx) = bond.alb.lock().rx.as_mut() {
        rx.arp_received(&arp);
    }
}
