// SPDX-License-Identifier: GPL-2.0

//! The ARP monitor: bond_main.c's `bond_arp_send_all()`, `bond_verify_device_path()`,
//! `bond_rcv_validate()`, `bond_arp_rcv()`, `bond_loadbalance_arp_mon()` and the
//! active-backup monitor (`bond_ab_arp_inspect()`, `_commit()`, `_probe()`).
//!
//! Every `arp_interval` ms each slave that is up (in active-backup: the active slave, or while
//! there is none one backup in turn) sends an ARP request to each `arp_ip_target`, tagged for
//! the VLANs between the bond and the device the route to the target goes out of. A slave
//! whose traffic stops for `arp_missed_max` intervals goes down. What counts as traffic is
//! `arp_validate`'s choice: any frame, only ARP, or only valid ARP replies and requests from or
//! about the targets, for active slaves, backups or both.
//!
//! The NS monitor's solicitations (`ns_ip6_target`, `ns.rs`) go out wherever the ARP requests
//! do, and its validation of received NS/NA sits beside the ARP one here.

use crate::active;
use crate::bond::{set_carrier, Bond, BondDev, ARP_WORK};
use crate::enslave::slave_list;
use crate::options::Mode;
use crate::slave::{link, Slave};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    net::{
        arp,
        device::{Device, VlanProto},
        route::{self, RouteV4},
        skb::{eth_p, pkt_type, SkBuff},
        Rtnl,
    },
    sync::{rcu, Arc},
    time::{jiffies, msecs_to_jiffies},
    types::ARef,
};

/// `BOND_ARP_FILTER`: only ARP counts as traffic (the `filter` values of `arp_validate`).
const ARP_FILTER: u32 = 4;
/// `BOND_ARP_TARGETS_ALL`: every target must answer (`arp_all_targets all`).
const TARGETS_ALL: u32 = 1;
/// `ARPHRD_ETHER`.
const ARPHRD_ETHER: u16 = 1;
/// How deep a device path above the bond may go (`MAX_NEST_DEV`).
pub(crate) const MAX_DEPTH: usize = 8;

/// The C side warns of a missing route with `arp_validate` set once per boot
/// (`pr_warn_once`).
static NO_ROUTE_WARNED: AtomicBool = AtomicBool::new(false);

pub(crate) fn now() -> usize {
    jiffies() as usize
}

/// `time_after(a, b)`.
pub(crate) fn after(a: usize, b: usize) -> bool {
    (b.wrapping_sub(a) as isize) < 0
}

/// `time_in_range(a, b, c)`: `b <= a <= c` on the jiffies clock.
fn in_range(a: usize, b: usize, c: usize) -> bool {
    (a.wrapping_sub(b) as isize) >= 0 && (c.wrapping_sub(a) as isize) >= 0
}

/// bond_time_in_interval(): `last` lies within `(1 - , mult + 1/2)` intervals of now.
pub(crate) fn in_interval(bond: &Bond, last: usize, mult: u32) -> bool {
    let delta = msecs_to_jiffies(bond.params.arp_interval.get()) as usize;
    let n = now();
    in_range(n, last.wrapping_sub(delta), last.wrapping_add(mult as usize * delta + delta / 2))
}

/// The targets, in order, up to the first empty slot.
fn targets(bond: &Bond) -> impl Iterator<Item = (usize, [u8; 4])> + '_ {
    bond.arp_targets
        .iter()
        .map(|t| t.load(Ordering::Relaxed).to_ne_bytes())
        .enumerate()
        .take_while(|(_, t)| *t != [0; 4])
}

/// slave_last_rx(): with `arp_all_targets all`, the oldest of the targets' last replies.
pub(crate) fn last_rx(bond: &Bond, s: &Slave) -> usize {
    if bond.params.arp_all_targets.get() != TARGETS_ALL {
        return s.last_rx.load(Ordering::Relaxed);
    }
    let mut oldest = s.target_last_arp_rx[0].load(Ordering::Relaxed);
    for (i, _) in targets(bond).skip(1) {
        let t = s.target_last_arp_rx[i].load(Ordering::Relaxed);
        if after(oldest, t) {
            oldest = t;
        }
    }
    oldest
}

/// slave_do_arp_validate(): `arp_validate` covers this slave's state (active or backup).
fn validates(bond: &Bond, s: &Slave) -> bool {
    bond.params.arp_validate.get() & (1 << s.state()) != 0
}

// --- sending ----------------------------------------------------------------------------

/// The VLAN tags on a device path above the bond (`struct bond_vlan_tag[]`): one entry per
/// device on the path after the bond, `None` for one that is not a VLAN.
pub(crate) struct Tags {
    tags: [Option<(VlanProto, u16)>; MAX_DEPTH],
    len: usize,
}

/// bond_verify_device_path(): the tags of the first path from `start` up to `end`, if `end`
/// is above `start`.
pub(crate) fn device_path(start: &Device, end: &Device, level: usize, guard: &rcu::Guard) -> Option<Tags> {
    if start.is(end) {
        return Some(Tags { tags: [None; MAX_DEPTH], len: level });
    }
    if level >= MAX_DEPTH {
        return None;
    }
    for upper in start.uppers_rcu(guard) {
        if let Some(mut tags) = device_path(upper, end, level + 1, guard) {
            tags.tags[level] = upper.vlan();
            return Some(tags);
        }
    }
    None
}

impl Tags {
    /// The tag that goes out of band: the VLAN device right above the bond, if any.
    pub(crate) fn outer(&self) -> Option<(VlanProto, u16)> {
        self.tags.get(..self.len)?.first().copied().flatten().filter(|(_, vid)| *vid != 0)
    }
}

/// bond_handle_vlan(): the inner tags go into the frame, the outer one out of band.
fn tag(skb: SkBuff, tags: Option<&Tags>) -> Option<SkBuff> {
    let Some(t) = tags.filter(|t| t.len > 0) else { return Some(skb) };
    let mut skb = skb;
    for &(proto, vid) in t.tags[1..t.len].iter().flatten() {
        if vid == 0 {
            continue;
        }
        skb = match skb.insert_vlan_tag(proto, vid) {
            Ok(skb) => skb,
            Err(_) => {
                if kernel::net::device::ratelimit() {
                    crate::log_plain!(Err, "failed to insert inner VLAN tag\n");
                }
                return None;
            }
        };
    }
    if let Some((proto, vid)) = t.outer() {
        skb.put_vlan_tag(proto, vid);
    }
    Some(skb)
}

/// bond_arp_send(): an ARP request from `src` (zero: none known) to `dest`, out of the slave
/// with its own MAC as sender.
fn send(s: &Slave, dest: [u8; 4], src: [u8; 4], tags: Option<&Tags>) {
    let own = s.dev.addr();
    let Ok(own) = <&[u8; 6]>::try_from(own.as_bytes()) else { return };
    let addrs = arp::Addresses { dest_hw: None, src_hw: Some(own), src_ip: src, target_hw: None, dest_ip: dest };
    let Ok(skb) = arp::create(arp::REQUEST, &s.dev, &addrs) else {
        if kernel::net::device::ratelimit() {
            crate::log_plain!(Err, "ARP packet allocation failed\n");
        }
        return;
    };
    if let Some(skb) = tag(skb, tags) {
        s.last_tx.store(now(), Ordering::Relaxed);
        arp::xmit(skb);
    }
}

/// bond_arp_send_all(): a probe to every target through `s`, each from the address and with
/// the tags of the route the target is reached by.
fn send_all(dev: &BondDev, s: &Slave, guard: &rcu::Guard) {
    let bond = dev.data();
    let Some(net) = dev.net_rcu(guard) else { return };
    for (_, target) in targets(bond) {
        let route = match RouteV4::output(net, target, route::SCOPE_LINK) {
            Ok(r) => r,
            Err(_) => {
                // No route: a probe anyway, to make some traffic.
                if bond.params.arp_validate.get() != 0 && !NO_ROUTE_WARNED.swap(true, Ordering::Relaxed) {
                    crate::log_plain!(Warn, "{}: no route to arp_ip_target {} and arp_validate is set\n", dev.name(), crate::opt_set::Ipv4(target));
                }
                send(s, target, [0; 4], None);
                continue;
            }
        };
        let rdev = route.dev(guard);
        let tags = if rdev.is(dev) {
            None
        } else {
            match device_path(dev, rdev, 0, guard) {
                Some(t) => Some(t),
                // Not through this bond.
                None => continue,
            }
        };
        let src = rdev.confirm_ipv4_addr(target, [0; 4], guard).unwrap_or([0; 4]);
        send(s, target, src, tags.as_ref());
    }
}

/// bond_send_validate(): the ARP probes, then the NS ones.
fn send_validate(dev: &BondDev, s: &Slave, guard: &rcu::Guard) {
    send_all(dev, s, guard);
    crate::monitor::ns::send_all(dev, s, guard);
}

// --- receiving --------------------------------------------------------------------------

/// bond_has_this_ip(): the bond or a device above it holds `ip`.
fn has_this_ip(dev: &Device, ip: [u8; 4], depth: usize, guard: &rcu::Guard) -> bool {
    if dev.confirm_ipv4_addr([0; 4], ip, guard) == Some(ip) {
        return true;
    }
    depth < MAX_DEPTH && dev.uppers_rcu(guard).any(|u| has_this_ip(u, ip, depth + 1, guard))
}

/// bond_validate_arp(): an ARP between a target (`sip`) and the bond (`tip`) is traffic.
fn validate_arp(dev: &BondDev, s: &Slave, sip: [u8; 4], tip: [u8; 4], guard: &rcu::Guard) {
    if sip == [0; 4] || !has_this_ip(dev, tip, 0, guard) {
        return;
    }
    let Some((i, _)) = targets(dev.data()).find(|(_, t)| *t == sip) else { return };
    let n = now();
    s.last_rx.store(n, Ordering::Relaxed);
    s.target_last_arp_rx[i].store(n, Ordering::Relaxed);
}

/// bond_arp_rcv(): a received ARP that is trusted (see below) and concerns a target and the
/// bond counts as traffic on the slave.
fn arp_rcv(dev: &BondDev, s: &Slave, skb: &SkBuff, guard: &rcu::Guard) {
    let hln = usize::from(dev.addr_len());
    let mut arp = [0u8; 8 + 2 * (32 + 4)];
    let alen = 8 + 2 * (hln + 4);
    if skb.copy_bits(0, &mut arp[..alen]).is_none() {
        return;
    }
    let pt = skb.pkt_type();
    if usize::from(arp[4]) != hln
        || pt == pkt_type::OTHERHOST
        || pt == pkt_type::LOOPBACK
        || u16::from_be_bytes([arp[0], arp[1]]) != ARPHRD_ETHER
        || u16::from_be_bytes([arp[2], arp[3]]) != eth_p::IP
        || arp[5] != 4
    {
        return;
    }
    let ip_at = |at: usize| [arp[at], arp[at + 1], arp[at + 2], arp[at + 3]];
    let sip = ip_at(8 + hln);
    let tip = ip_at(8 + hln + 4 + hln);
    let reply = u16::from_be_bytes([arp[6], arp[7]]) == arp::REPLY;
    let bond = dev.data();
    // Trusted: on an active slave; on a backup, a request seen while the active slave has
    // heard replies since it became active (sip and tip swap: it is the bond's own request
    // coming round); or a reply while the ARP slave probed in the last interval (a switch
    // may deliver it to another slave).
    if s.is_active() {
        validate_arp(dev, s, sip, tip, guard);
    } else if bond
        .curr_active(guard)
        .map_or(false, |c| after(last_rx(bond, c), c.last_link_up.load(Ordering::Relaxed)))
    {
        validate_arp(dev, s, tip, sip, guard);
    } else if reply
        && bond
            .current_arp_slave(guard)
            .map_or(false, |a| in_interval(bond, a.last_tx.load(Ordering::Relaxed), 1))
    {
        validate_arp(dev, s, sip, tip, guard);
    }
}

/// bond_rcv_validate(): the ARP monitor's look at every frame a slave receives.
pub(crate) fn rcv_validate(dev: &BondDev, s: &Slave, skb: &SkBuff, guard: &rcu::Guard) {
    let bond = dev.data();
    let is_arp = skb.protocol() == eth_p::ARP;
    let is_ipv6 = skb.protocol() == eth_p::IPV6;
    if !validates(bond, s) {
        let filter = bond.params.arp_validate.get() & ARP_FILTER != 0;
        if !filter || is_arp || is_ipv6 {
            s.last_rx.store(now(), Ordering::Relaxed);
        }
    } else if is_arp {
        arp_rcv(dev, s, skb, guard);
    } else if is_ipv6 && kernel::net::route::ipv6_enabled() {
        crate::monitor::ns::na_rcv(dev, s, skb, guard);
    }
}

// --- the monitors -------------------------------------------------------------------------

/// bond_arp_monitor().
pub(crate) fn arp_monitor(dev: ARef<BondDev>) {
    let bond = dev.data();
    let mut delay = msecs_to_jiffies(bond.params.arp_interval.get()) as usize;
    if bond.has_slaves() {
        if bond.params.mode() == Mode::ActiveBackup {
            delay = activebackup_arp_mon(&dev, delay);
        } else {
            loadbalance_arp_mon(&dev);
        }
    }
    if bond.params.arp_interval.get() != 0 {
        Bond::queue_work::<ARP_WORK>(&dev, delay);
    }
}

/// bond_loadbalance_arp_mon(): a slave is up while it both sent and received in the last
/// interval, down after `arp_missed_max` intervals without.
fn loadbalance_arp_mon(dev: &BondDev) {
    let bond = dev.data();
    let missed = bond.params.missed_max.get();
    let (changed, failover) = {
        let guard = rcu::read_lock();
        let old = bond.curr_active(&guard).cloned();
        let (mut changed, mut failover) = (false, false);
        for s in bond.slaves(&guard) {
            let tx = s.last_tx.load(Ordering::Relaxed);
            let rx = s.last_rx.load(Ordering::Relaxed);
            s.propose_link_state(link::NOCHANGE);
            if s.link() != link::UP {
                if in_interval(bond, tx, 1) && in_interval(bond, rx, 1) {
                    s.propose_link_state(link::UP);
                    changed = true;
                    if old.is_none() {
                        crate::log_slave!(dev, s.dev, Info, "link status definitely up\n");
                        failover = true;
                    } else {
                        crate::log_slave!(dev, s.dev, Info, "interface is now up\n");
                    }
                }
            } else if !in_interval(bond, tx, missed) || !in_interval(bond, rx, missed) {
                s.propose_link_state(link::DOWN);
                changed = true;
                let _ = s.link_failure_count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| c.checked_add(1));
                crate::log_slave!(dev, s.dev, Info, "interface is now down\n");
                if old.as_ref().map_or(false, |o| Arc::ptr_eq(o, s)) {
                    failover = true;
                }
            }
            if s.is_up() {
                send_validate(dev, s, &guard);
            }
        }
        (changed, failover)
    };
    if !(changed || failover) {
        return;
    }
    let Some(rtnl) = Rtnl::try_lock() else { return };
    let Ok(slaves) = slave_list(dev) else { return };
    for s in slaves.iter() {
        let new = s.new_link_state();
        if new != link::NOCHANGE {
            s.set_link_quiet(new);
        }
    }
    if changed {
        // bond_slave_state_change(): slaves up are active, slaves down backups. The carrier
        // follows only through the failover's reselection, as in C.
        for s in slaves.iter() {
            match s.link() {
                link::UP => s.set_active(&rtnl),
                link::DOWN => s.set_backup(&rtnl),
                _ => {}
            }
        }
        if bond.params.mode() == Mode::BalanceXor {
            let _ = bond.update_slave_arr(&rtnl, None);
        }
    }
    if failover {
        active::select_active_slave(dev, &rtnl);
    }
}

/// bond_ab_arp_inspect(): proposes link changes; `true` if any.
fn ab_inspect(dev: &BondDev, guard: &rcu::Guard) -> bool {
    let bond = dev.data();
    let missed = bond.params.missed_max.get();
    let arp_slave = bond.current_arp_slave(guard).is_some();
    let mut commit = false;
    for s in bond.slaves(guard) {
        s.propose_link_state(link::NOCHANGE);
        let rx = last_rx(bond, s);
        if s.link() != link::UP {
            if in_interval(bond, rx, 1) {
                s.propose_link_state(link::UP);
                commit = true;
            } else if s.link() == link::BACK {
                s.propose_link_state(link::FAIL);
                commit = true;
            }
            continue;
        }
        // Two intervals after being enslaved or made active: the receive times need a full
        // cycle to be meaningful.
        if in_interval(bond, s.last_link_up.load(Ordering::Relaxed), 2) {
            continue;
        }
        // A backup is down after missed_max + 1 intervals without receiving, unless the
        // monitor is looking for a new active slave.
        if !s.is_active() && !arp_slave && !in_interval(bond, rx, missed + 1) {
            s.propose_link_state(link::DOWN);
            commit = true;
        }
        // The active slave is down after missed_max intervals without sending or receiving.
        let tx = s.last_tx.load(Ordering::Relaxed);
        if s.is_active() && (!in_interval(bond, tx, missed) || !in_interval(bond, rx, missed)) {
            s.propose_link_state(link::DOWN);
            commit = true;
        }
    }
    commit
}

/// bond_ab_arp_commit() (under RTNL).
fn ab_commit(dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>]) {
    let bond = dev.data();
    let all_active = bond.params.all_slaves_active.get() != 0;
    let mut failover = false;
    for s in slaves {
        match s.new_link_state() {
            link::NOCHANGE => {}
            link::UP => {
                let curr = bond.curr_active_arc();
                let is_curr = curr.as_ref().map_or(false, |c| Arc::ptr_eq(c, s));
                let tx = s.last_tx.load(Ordering::Relaxed);
                if !is_curr || (curr.is_none() && in_interval(bond, tx, 1)) {
                    s.set_link(rtnl, link::UP);
                    // Not `current_arp_slave(&rcu::read_lock())` in the `if let`: the guard
                    // would live to the end of the block, across the sleeping calls in it.
                    if let Some(a) = bond.current_arp_slave_arc() {
                        a.set_inactive_flags(rtnl, all_active);
                        let _ = bond.set_current_arp_slave(None);
                    }
                    crate::log_slave!(dev, s.dev, Info, "link status definitely up\n");
                    let primary = bond.primary_arc();
                    if curr.as_ref().map_or(true, |c| {
                        primary.as_ref().map_or(false, |p| Arc::ptr_eq(p, s))
                            || s.prio.load(Ordering::Relaxed) > c.prio.load(Ordering::Relaxed)
                    }) {
                        failover = true;
                    }
                }
            }
            link::DOWN => {
                let _ = s.link_failure_count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| c.checked_add(1));
                s.set_link(rtnl, link::DOWN);
                s.set_inactive_flags(rtnl, all_active);
                crate::log_slave!(dev, s.dev, Info, "link status definitely down, disabling slave\n");
                if bond.curr_active_arc().map_or(false, |c| Arc::ptr_eq(&c, s)) {
                    let _ = bond.set_current_arp_slave(None);
                    failover = true;
                }
            }
            link::FAIL => {
                s.set_link(rtnl, link::FAIL);
                s.set_inactive_flags(rtnl, all_active);
                // It was just enslaved and made the active slave.
                if bond.curr_active_arc().is_some() {
                    let _ = bond.set_current_arp_slave(None);
                }
            }
            other => {
                crate::log_slave!(dev, s.dev, Err, "impossible: link_new_state {} on slave\n", other);
            }
        }
    }
    if failover {
        active::select_active_slave(dev, rtnl);
    }
    set_carrier(dev);
}

/// bond_ab_arp_probe(): the active slave probes; without one, the next backup that is up
/// (after the last one tried) becomes the ARP slave and probes. Returns `true` if a slave's
/// state changed without the stack being told.
fn ab_probe(dev: &BondDev) -> bool {
    let bond = dev.data();
    let all_active = bond.params.all_slaves_active.get() != 0;
    let next = {
        let guard = rcu::read_lock();
        let curr = bond.curr_active(&guard);
        let arp_slave = bond.current_arp_slave(&guard);
        if let (Some(a), Some(c)) = (arp_slave, curr) {
            crate::log_bond!(dev, Info, "PROBE: c_arp {} && cas {} BAD\n", a.dev.name(), c.dev.name());
        }
        if let Some(c) = curr {
            send_validate(dev, c, &guard);
            return false;
        }
        let slaves = bond.slaves(&guard);
        let Some(from) = arp_slave.or_else(|| slaves.first()) else { return false };
        let (mut before, mut new, mut found) = (None, None, false);
        for s in slaves {
            if !found && before.is_none() && s.is_up() {
                before = Some(s);
            }
            if found && new.is_none() && s.is_up() {
                new = Some(s);
            }
            // A slave that went down while not the active one, and was not noticed.
            if !s.is_up() && s.link() == link::UP {
                s.set_link_quiet(link::DOWN);
                s.mark_link_notify();
                let _ = s.link_failure_count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| c.checked_add(1));
                s.set_inactive_flags_later(all_active);
                crate::log_slave!(dev, s.dev, Info, "backup interface is now down\n");
            }
            if Arc::ptr_eq(s, from) {
                found = true;
            }
        }
        let new = new.or(before).cloned();
        if let Some(n) = new.as_ref() {
            n.set_link_quiet(link::BACK);
            n.mark_link_notify();
            n.set_active_flags_later();
            send_validate(dev, n, &guard);
            n.stamp_link_up();
        }
        new
    };
    if let Some(n) = next {
        let _ = bond.set_current_arp_slave(Some(n));
    }
    let guard = rcu::read_lock();
    bond.slaves(&guard).iter().any(|s| s.should_notify() || s.link_notify_pending())
}

/// bond_activebackup_arp_mon(): inspect, commit under RTNL, probe; returns the delay to the
/// next run.
fn activebackup_arp_mon(dev: &BondDev, delay: usize) -> usize {
    let bond = dev.data();
    let should_notify_peers = {
        let _guard = rcu::read_lock();
        active::should_notify_peers(dev)
    };
    let commit = {
        let guard = rcu::read_lock();
        ab_inspect(dev, &guard)
    };
    if commit {
        // Race avoidance with bond_close()'s cancel: never wait for RTNL here.
        match Rtnl::try_lock() {
            None => return 1,
            Some(rtnl) => {
                if let Ok(slaves) = slave_list(dev) {
                    ab_commit(dev, &rtnl, &slaves);
                }
            }
        }
    }
    let should_notify_rtnl = ab_probe(dev);
    if !should_notify_peers && !should_notify_rtnl {
        return delay;
    }
    let Some(rtnl) = Rtnl::try_lock() else { return delay };
    if should_notify_peers {
        bond.send_peer_notif.fetch_sub(1, Ordering::Relaxed);
        dev.notify(&rtnl, kernel::net::notifier::DriverEvent::NotifyPeers);
    }
    if should_notify_rtnl {
        if let Ok(slaves) = slave_list(dev) {
            for s in slaves.iter() {
                s.notify_state(&rtnl);
                s.notify_link(&rtnl);
            }
        }
    }
    delay
}
