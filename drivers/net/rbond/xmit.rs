// SPDX-License-Identifier: GPL-2.0

//! The transmit path: bond_main.c's `bond_start_xmit()` and the per-mode transmit functions
//! `bond_xmit_roundrobin()` and `bond_xmit_activebackup()`.
//!
//! Lockless: the slave list and the active slave are read under RCU, counters are atomics.

use crate::bond::BondDev;
use crate::options::Mode;
use crate::slave::Slave;
use core::sync::atomic::Ordering;
use kernel::{
    net::{skb::eth_p, SkBuff},
    random,
    sync::{rcu, Arc},
};

/// `IPPROTO_IGMP`.
const IPPROTO_IGMP: u8 = 2;

/// bond_start_xmit().
pub(crate) fn start_xmit(dev: &BondDev, skb: SkBuff) {
    let bond = dev.data();
    let guard = rcu::read_lock();
    let slaves = bond.slaves(&guard);
    if slaves.is_empty() {
        return tx_drop(dev, skb);
    }
    let slave = match bond.params.mode() {
        Mode::BalanceRr => roundrobin_slave(dev, slaves, &skb, &guard),
        Mode::ActiveBackup => bond.curr_active(&guard),
        _ => None,
    };
    match slave {
        Some(s) => {
            let _ = skb.transmit(&s.dev);
        }
        None => tx_drop(dev, skb),
    }
}

/// bond_tx_drop(): counted on the bond, then freed.
fn tx_drop(dev: &BondDev, skb: SkBuff) {
    dev.count_tx_dropped();
    drop(skb);
}

/// `true` for an IPv4 IGMP packet, which balance-rr keeps on one slave.
fn is_igmp(skb: &SkBuff) -> bool {
    if skb.protocol() != eth_p::IP {
        return false;
    }
    let off = skb.network_offset();
    if off < 0 {
        return false;
    }
    // The protocol field is byte 9 of the IPv4 header.
    skb.read::<1>(off as usize + 9) == Some([IPPROTO_IGMP])
}

/// bond_rr_gen_slave_id(): which slave, by `packets_per_slave`.
fn rr_gen_slave_id(dev: &BondDev) -> u32 {
    let bond = dev.data();
    match bond.params.packets_per_slave.get() {
        0 => random::u32(),
        1 => bond.rr_tx_counter.fetch_add(1, Ordering::Relaxed).wrapping_add(1),
        n => bond.rr_tx_counter.fetch_add(1, Ordering::Relaxed).wrapping_add(1) / n,
    }
}

/// bond_get_slave_by_id(): the first slave from `id` on that can transmit, wrapping.
fn slave_by_id(slaves: &[Arc<Slave>], id: usize) -> Option<&Arc<Slave>> {
    slaves[id..]
        .iter()
        .chain(slaves[..id].iter())
        .find(|s| s.can_tx())
}

/// bond_xmit_roundrobin_slave_get().
fn roundrobin_slave<'a>(
    dev: &'a BondDev,
    slaves: &'a [Arc<Slave>],
    skb: &SkBuff,
    guard: &'a rcu::Guard,
) -> Option<&'a Arc<Slave>> {
    if is_igmp(skb) {
        // IGMP goes through the active slave, for consistent membership reports.
        return dev.data().curr_active(guard).or_else(|| slave_by_id(slaves, 0));
    }
    let id = rr_gen_slave_id(dev) as usize % slaves.len();
    slave_by_id(slaves, id)
}
