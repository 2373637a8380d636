// SPDX-License-Identifier: GPL-2.0

//! The NS monitor, the IPv6 half of the ARP monitor: bond_main.c's `bond_ns_send()`,
//! `bond_ns_send_all()`, `bond_has_this_ip6()`, `bond_validate_na()` and `bond_na_rcv()`, and
//! bond_options.c's `ns_ip6_target` option with `slave_set_ns_maddrs()`.
//!
//! Every `arp_interval`, wherever the ARP monitor sends its ARP requests it also sends a
//! neighbour solicitation for each `ns_ip6_target`, to the target's solicited-node multicast
//! address, from the address and through the VLAN the route to the target picks. With
//! `arp_validate` on, a neighbour solicitation or advertisement between a target and an address
//! of the bond (or of a device above it) counts as traffic, trusted by the same rules as ARP.
//! The targets share the slaves' per-target receive times (`target_last_arp_rx`) with the ARP
//! targets, slot by slot, as in C.
//!
//! In active-backup with `arp_validate` set, backups join the targets' solicited-node
//! multicast groups (their MACs go on the backups' multicast lists), so that they hear the
//! targets' solicitations and answers too; the active slave has the bond's own list.
//!
//! One difference: on a path through stacked VLANs (QinQ) C inserts the inner tags into an
//! ND packet that has no link-layer header yet, which garbles it; rbond sends such a probe
//! with the outer tag alone.

use super::arp::{self, Tags};
use crate::bond::{Bond, BondDev};
use crate::options::Mode;
use crate::slave::Slave;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{
    net::{
        device::{flags, Device},
        ndisc::{self, Solicitation},
        route::{ipv6_enabled, RouteV6},
        skb::{pkt_type, SkBuff},
        Rtnl,
    },
    prelude::*,
    sync::rcu,
    time::jiffies,
};

/// `BOND_MAX_NS_TARGETS`.
pub(crate) const MAX_NS_TARGETS: usize = 16;
/// An IPv6 address, network byte order.
pub(crate) type In6 = [u8; 16];
const ANY: In6 = [0; 16];
/// `in6addr_linklocal_allnodes`, ff02::1.
const ALL_NODES: In6 = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
/// `NEXTHDR_ICMP`.
const NEXTHDR_ICMP: u8 = 58;
/// `NDISC_NEIGHBOUR_SOLICITATION`, `NDISC_NEIGHBOUR_ADVERTISEMENT`.
const NDISC_NS: u8 = 135;
const NDISC_NA: u8 = 136;

/// C warns of a missing route with `arp_validate` set once per boot (`pr_warn_once`).
static NO_ROUTE_WARNED: AtomicBool = AtomicBool::new(false);

/// `params.ns_targets`: slot by slot, the first empty slot ends the list. Written under RTNL,
/// read without a lock by the monitor and the receive path (C reads the array as it is, too:
/// a reader racing a change may see a half-written address, which matches no frame).
pub(crate) struct NsTargets([[AtomicU32; 4]; MAX_NS_TARGETS]);

impl NsTargets {
    pub(crate) const fn new() -> Self {
        Self([const { [const { AtomicU32::new(0) }; 4] }; MAX_NS_TARGETS])
    }

    fn get(&self, slot: usize) -> In6 {
        let mut a = ANY;
        for (chunk, word) in a.chunks_exact_mut(4).zip(self.0[slot].iter()) {
            chunk.copy_from_slice(&word.load(Ordering::Relaxed).to_ne_bytes());
        }
        a
    }

    fn set(&self, slot: usize, a: &In6) {
        for (chunk, word) in a.chunks_exact(4).zip(self.0[slot].iter()) {
            word.store(u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]), Ordering::Relaxed);
        }
    }

    /// Every slot.
    pub(crate) fn all(&self) -> [In6; MAX_NS_TARGETS] {
        core::array::from_fn(|i| self.get(i))
    }

    /// The targets in order, up to the first empty slot.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, In6)> + '_ {
        (0..MAX_NS_TARGETS).map(|i| (i, self.get(i))).take_while(|(_, t)| *t != ANY)
    }
}

/// bond_get_targets_ip6(): the slot of `ip` among `targets`, as a target or as a target's
/// solicited-node address, up to the first empty slot; for `ip` unspecified, the first empty
/// slot.
fn slot_of(targets: &[In6], ip: &In6) -> Option<usize> {
    for (i, t) in targets.iter().enumerate() {
        if t == ip || ndisc::solicited_node(t) == *ip {
            return Some(i);
        }
        if *t == ANY {
            break;
        }
    }
    None
}

/// bond_is_ip6_target_ok(): not unspecified, loopback or multicast.
fn target_ok(a: &In6) -> bool {
    let loopback = a[..15].iter().all(|&b| b == 0) && a[15] == 1;
    *a != ANY && !loopback && a[0] != 0xff
}

/// An IPv6 address printed as `%pI6c` does: the longest run of two or more zero words (the
/// first of equal runs) as `::`, words in lower-case hex without leading zeroes, and
/// IPv4-mapped and ISATAP addresses with their last 32 bits as an IPv4 address.
pub(crate) struct Ipv6(pub(crate) In6);

impl core::fmt::Display for Ipv6 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let a = self.0;
        let word = |i: usize| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
        let v4mapped = a[..10].iter().all(|&b| b == 0) && a[10] == 0xff && a[11] == 0xff;
        let isatap = (a[8] | 0x02) == 0x02 && a[9] == 0 && a[10] == 0x5e && a[11] == 0xfe;
        let range = if v4mapped || isatap { 6 } else { 8 };
        let (mut longest, mut colonpos) = (1, None);
        for i in 0..range {
            let run = (i..range).take_while(|&j| word(j) == 0).count();
            if run > longest {
                longest = run;
                colonpos = Some(i);
            }
        }
        let mut needcolon = false;
        let mut i = 0;
        while i < range {
            if Some(i) == colonpos {
                if needcolon || i == 0 {
                    f.write_str(":")?;
                }
                f.write_str(":")?;
                needcolon = false;
                i += longest;
                continue;
            }
            if needcolon {
                f.write_str(":")?;
            }
            write!(f, "{:x}", word(i))?;
            needcolon = true;
            i += 1;
        }
        if range == 6 {
            if needcolon {
                f.write_str(":")?;
            }
            write!(f, "{}.{}.{}.{}", a[12], a[13], a[14], a[15])?;
        }
        Ok(())
    }
}

// --- the option ---------------------------------------------------------------------------

/// bond_option_ns_ip6_targets_set(): adds `target` in the first free slot.
pub(crate) fn add_target(dev: &BondDev, rtnl: &Rtnl, target: &In6) -> Result {
    let bond = dev.data();
    let shown = Ipv6(*target);
    if !target_ok(target) {
        crate::log_bond!(dev, Err, "invalid NS target {} specified for addition\n", shown);
        return Err(EINVAL);
    }
    let targets = bond.ns_targets.all();
    if slot_of(&targets, target).is_some() {
        crate::log_bond!(dev, Err, "NS target {} is already present\n", shown);
        return Err(EINVAL);
    }
    let Some(slot) = slot_of(&targets, &ANY) else {
        crate::log_bond!(dev, Err, "NS target table is full!\n");
        return Err(EINVAL);
    };
    set_slot(dev, rtnl, slot, target, jiffies() as usize);
    Ok(())
}

/// bond_option_ns_ip6_targets_clear(): empties every slot (netlink replaces the whole list).
pub(crate) fn clear_targets(dev: &BondDev, rtnl: &Rtnl) {
    for slot in 0..MAX_NS_TARGETS {
        set_slot(dev, rtnl, slot, &ANY, 0);
    }
}

/// _bond_options_ns_ip6_target_set(): the slaves' receive time for the slot, and their
/// multicast lists, follow the slot's new target.
fn set_slot(dev: &BondDev, rtnl: &Rtnl, slot: usize, target: &In6, last_rx: usize) {
    let bond = dev.data();
    let old = bond.ns_targets.get(slot);
    for s in bond.slaves(&rcu::read_lock()) {
        s.target_last_arp_rx[slot].store(last_rx, Ordering::Relaxed);
        if bond.params.arp_validate.get() != 0 && can_set_maddr(bond, s) {
            // slave_set_ns_maddr(): the old target's group off, the new one's on.
            if old != ANY {
                mc_change(rtnl, s, &old, false);
            }
            if *target != ANY {
                mc_change(rtnl, s, target, true);
            }
        }
    }
    bond.ns_targets.set(slot, target);
}

/// slave_can_set_ns_maddr(): a backup of an active-backup bond, that does multicast.
fn can_set_maddr(bond: &Bond, s: &Slave) -> bool {
    bond.params.mode() == Mode::ActiveBackup && !s.is_active() && s.dev.flags() & flags::MULTICAST != 0
}

/// Adds or drops the MAC of `target`'s solicited-node group on `s`'s multicast list.
fn mc_change(rtnl: &Rtnl, s: &Slave, target: &In6, add: bool) {
    if let Some(mac) = s.dev.ndisc_mc_map(&ndisc::solicited_node(target)) {
        // Failures are C's too: dev_mc_add()/dev_mc_del() results are not looked at.
        let _ = if add { s.dev.mc_add(rtnl, &mac) } else { s.dev.mc_del(rtnl, &mac) };
    }
}

/// slave_set_ns_maddrs(): every target's group on or off `s`.
pub(crate) fn set_maddrs(bond: &Bond, rtnl: &Rtnl, s: &Slave, add: bool) {
    if !can_set_maddr(bond, s) {
        return;
    }
    for (_, t) in bond.ns_targets.iter() {
        mc_change(rtnl, s, &t, add);
    }
}

/// bond_slave_ns_maddrs_add() / _del(): as [`set_maddrs`], with `arp_validate` set.
pub(crate) fn slave_maddrs(bond: &Bond, rtnl: &Rtnl, s: &Slave, add: bool) {
    if bond.params.arp_validate.get() != 0 {
        set_maddrs(bond, rtnl, s, add);
    }
}

// --- sending ----------------------------------------------------------------------------

/// bond_ns_send(): a solicitation for `target` from `src` out of `s`, with the outer tag of
/// the VLAN path.
fn send(s: &Slave, target: &In6, src: &In6, tags: Option<&Tags>) {
    let Ok(mut ns) = Solicitation::new(&s.dev, target, src) else {
        if kernel::net::device::ratelimit() {
            crate::log_plain!(Err, "NS packet allocation failed\n");
        }
        return;
    };
    if let Some((proto, vid)) = tags.and_then(Tags::outer) {
        ns.put_vlan_tag(proto, vid);
    }
    s.last_tx.store(arp::now(), Ordering::Relaxed);
    ns.send();
}

/// bond_ns_send_all(): a solicitation for every target through `s`, each from the address
/// and with the tag of the route the target is reached by.
pub(crate) fn send_all(dev: &BondDev, s: &Slave, guard: &rcu::Guard) {
    let bond = dev.data();
    if !ipv6_enabled() || bond.ns_targets.iter().next().is_none() {
        return;
    }
    let Some(net) = dev.net_rcu(guard) else { return };
    for (_, target) in bond.ns_targets.iter() {
        let Ok(route) = RouteV6::output(net, &target) else {
            // No route: a probe anyway, to make some traffic.
            if bond.params.arp_validate.get() != 0 && !NO_ROUTE_WARNED.swap(true, Ordering::Relaxed) {
                crate::log_plain!(Warn, "{}: no route to ns_ip6_target {} and arp_validate is set\n", dev.name(), Ipv6(target));
            }
            send(s, &target, &ANY, None);
            continue;
        };
        let rdev = route.dev(guard);
        let tags = if rdev.is(dev) {
            None
        } else {
            match arp::device_path(dev, rdev, 0, guard) {
                Some(t) => Some(t),
                // Not through this bond.
                None => continue,
            }
        };
        let src = rdev.ipv6_source_for(&target, guard).unwrap_or(ANY);
        send(s, &target, &src, tags.as_ref());
    }
}

// --- receiving --------------------------------------------------------------------------

/// bond_has_this_ip6(): the bond or a device above it holds `ip`.
fn has_this_ip6(dev: &Device, ip: &In6, depth: usize, guard: &rcu::Guard) -> bool {
    dev.has_ipv6_addr(ip, guard)
        || (depth < arp::MAX_DEPTH && dev.uppers_rcu(guard).any(|u| has_this_ip6(u, ip, depth + 1, guard)))
}

/// bond_validate_na(): an NS or NA between a target (`saddr`) and the bond (`daddr`, or
/// all-nodes) is traffic.
fn validate_na(dev: &BondDev, s: &Slave, saddr: &In6, daddr: &In6, guard: &rcu::Guard) {
    if *saddr == ANY || (*daddr != ALL_NODES && !has_this_ip6(dev, daddr, 0, guard)) {
        return;
    }
    let Some(i) = slot_of(&dev.data().ns_targets.all(), saddr) else { return };
    let n = arp::now();
    s.last_rx.store(n, Ordering::Relaxed);
    s.target_last_arp_rx[i].store(n, Ordering::Relaxed);
}

/// bond_na_rcv(): a received NS or NA that is trusted (as an ARP is, see `arp::arp_rcv`) and
/// concerns a target and the bond counts as traffic on the slave.
pub(crate) fn na_rcv(dev: &BondDev, s: &Slave, skb: &SkBuff, guard: &rcu::Guard) {
    let pt = skb.pkt_type();
    if pt == pkt_type::OTHERHOST || pt == pkt_type::LOOPBACK {
        return;
    }
    // The IPv6 header and the ICMPv6 type.
    let mut hdr = [0u8; 40 + 8];
    if skb.copy_bits(0, &mut hdr).is_none() || hdr[6] != NEXTHDR_ICMP || (hdr[40] != NDISC_NS && hdr[40] != NDISC_NA) {
        return;
    }
    let mut saddr = ANY;
    let mut daddr = ANY;
    saddr.copy_from_slice(&hdr[8..24]);
    daddr.copy_from_slice(&hdr[24..40]);
    let bond = dev.data();
    if s.is_active() {
        validate_na(dev, s, &saddr, &daddr, guard);
    } else if bond.curr_active(guard).map_or(false, |c| {
        arp::after(arp::last_rx(bond, c), c.last_link_up.load(Ordering::Relaxed))
    }) {
        // As C: the addresses swap here, as for an ARP request (which makes an NA from a
        // target count only when the bond's own address is among the targets).
        validate_na(dev, s, &daddr, &saddr, guard);
    } else if bond
        .current_arp_slave(guard)
        .map_or(false, |a| arp::in_interval(bond, a.last_tx.load(Ordering::Relaxed), 1))
    {
        validate_na(dev, s, &saddr, &daddr, guard);
    }
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_ns)]
mod tests {
    use super::*;
    use kernel::str::CString;

    fn addr(words: [u16; 8]) -> In6 {
        let mut a = ANY;
        for (i, w) in words.iter().enumerate() {
            a[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
        }
        a
    }

    fn shown(a: In6) -> CString {
        CString::try_from_fmt(kernel::fmt!("{}", Ipv6(a))).unwrap()
    }

    fn check(words: [u16; 8], want: &str) {
        assert_eq!(shown(addr(words)).as_bytes(), want.as_bytes());
    }

    #[test]
    fn prints_as_pi6c() {
        // Each as the kernel's ip6_compressed_string() prints it.
        check([0x2001, 0xdb8, 0, 0, 0, 0, 0, 2], "2001:db8::2");
        check([0, 0, 0, 0, 0, 0, 0, 0], "::");
        check([0, 0, 0, 0, 0, 0, 0, 1], "::1");
        check([0xfe80, 0, 0, 0, 0, 0, 0, 0], "fe80::");
        // A single zero word is not compressed; the first of two equal runs is.
        check([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], "2001:db8:0:1:1:1:1:1");
        check([0x2001, 0, 0, 1, 0, 0, 1, 1], "2001::1:0:0:1:1");
        check([0x2001, 0, 0, 1, 0, 0, 0, 1], "2001:0:0:1::1");
        check([0xff02, 0, 0, 0, 0, 1, 0xff00, 0x2], "ff02::1:ff00:2");
        // IPv4-mapped and ISATAP end in an IPv4 address.
        check([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001], "::ffff:10.0.0.1");
        check([0xfe80, 0, 0, 0, 0, 0x5efe, 0xc000, 0x0201], "fe80::5efe:192.0.2.1");
    }

    #[test]
    fn target_slots() {
        let a = addr([0x2001, 0xdb8, 0, 0, 0, 0, 0, 2]);
        let b = addr([0x2001, 0xdb8, 0, 0, 0, 0, 0x12, 0x3456]);
        let mut t = [ANY; MAX_NS_TARGETS];
        assert_eq!(slot_of(&t, &ANY), Some(0));
        t[0] = a;
        t[1] = b;
        assert_eq!(slot_of(&t, &a), Some(0));
        assert_eq!(slot_of(&t, &b), Some(1));
        assert_eq!(slot_of(&t, &ANY), Some(2));
        // A target's solicited-node address finds its slot too (an NS to the group).
        assert_eq!(slot_of(&t, &ndisc::solicited_node(&b)), Some(1));
        // Nothing after the first empty slot counts.
        t[3] = addr([0x2001, 0xdb8, 0, 0, 0, 0, 0, 9]);
        let late = t[3];
        assert_eq!(slot_of(&t, &late), None);
        let full = [a; MAX_NS_TARGETS];
        assert_eq!(slot_of(&full, &ANY), None);
    }

    #[test]
    fn targets_accepted() {
        assert!(target_ok(&addr([0x2001, 0xdb8, 0, 0, 0, 0, 0, 2])));
        assert!(target_ok(&addr([0xfe80, 0, 0, 0, 0, 0, 0, 1])));
        assert!(!target_ok(&ANY));
        assert!(!target_ok(&addr([0, 0, 0, 0, 0, 0, 0, 1])));
        assert!(!target_ok(&addr([0xff02, 0, 0, 0, 0, 0, 0, 1])));
    }
}
