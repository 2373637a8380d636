// SPDX-License-Identifier: GPL-2.0

//! The transmit path: bond_main.c's `bond_start_xmit()` and the per-mode transmit functions
//! `bond_xmit_roundrobin()` and `bond_xmit_activebackup()` (balance-xor, broadcast, tlb and
//! alb have their own files), with `bond_select_queue()` and the `queue_id` override
//! (`bond_slave_override()`).
//!
//! Lockless: the slave list and the active slave are read under RCU, counters are atomics.

use crate::bond::BondDev;
use crate::options::Mode;
use crate::slave::Slave;
use core::sync::atomic::Ordering;
use kernel::{
    net::{device::Device, skb::eth_p, SkBuff},
    random,
    sync::{lock::spinlock_bh::SoftirqsOff, rcu, Arc},
};

/// `IPPROTO_IGMP`.
const IPPROTO_IGMP: u8 = 2;

/// bond_select_queue(): the bond's own queue is the one the skb was received on, if any (so
/// the core skips hashing), and the queue the sender chose is saved for the slave, since a
/// queue discipline on the bond (tc `skbedit queue_mapping`) may rewrite it to pick a slave
/// by `queue_id`.
pub(crate) fn select_queue(dev: &BondDev, skb: &SkBuff) -> u16 {
    let mapping = skb.queue_mapping();
    // skb_rx_queue_recorded() / skb_get_rx_queue(): a recorded queue is stored plus one.
    let txq = u32::from(mapping.saturating_sub(1));
    skb.save_queue_mapping();
    (txq % dev.real_num_tx_queues().max(1)) as u16
}

/// bond_start_xmit(), in the RCU read-side section the core calls it in (C takes
/// `rcu_read_lock` again; rbond is lent the section the core's disabled bottom halves make).
#[inline]
pub(crate) fn start_xmit(dev: &BondDev, skb: SkBuff, guard: &rcu::Guard, bh: &SoftirqsOff) {
    let bond = dev.data();
    let slaves = bond.slaves(guard);
    if slaves.is_empty() {
        return tx_drop(dev, skb);
    }
    let mode = bond.params.mode();
    // bond_should_override_tx_queue(): `queue_id` steers only these two modes.
    if matches!(mode, Mode::BalanceRr | Mode::ActiveBackup) {
        if let Some(s) = queue_override_slave(slaves, &skb) {
            return queue_xmit(skb, &s.dev);
        }
    }
    let slave = match mode {
        Mode::BalanceRr => roundrobin_slave(dev, slaves, &skb, guard),
        Mode::ActiveBackup => bond.curr_active(guard),
        Mode::BalanceXor | Mode::Ieee8023ad => crate::xor::xmit(dev, &skb, guard),
        Mode::Broadcast => return crate::broadcast::xmit(dev, skb, guard),
        Mode::BalanceTlb => return crate::alb::xmit::tlb_xmit(dev, skb, guard, bh),
        Mode::BalanceAlb => return crate::alb::xmit::alb_xmit(dev, skb, guard, bh),
    };
    match slave {
        Some(s) => queue_xmit(skb, &s.dev),
        None => tx_drop(dev, skb),
    }
}

/// bond_slave_override(): an skb whose queue (set by the bond's queue discipline) is a
/// slave's `queue_id` leaves through that slave, if it is up; otherwise the mode decides.
fn queue_override_slave<'a>(slaves: &'a [Arc<Slave>], skb: &SkBuff) -> Option<&'a Arc<Slave>> {
    let queue = skb.queue_mapping();
    if queue == 0 {
        return None;
    }
    let s = slaves.iter().find(|s| s.queue_id.load(Ordering::Relaxed) == queue)?;
    (s.is_up() && s.link() == crate::slave::link::UP).then_some(s)
}

/// bond_dev_queue_xmit(): the slave gets the queue the sender chose, then the skb.
pub(crate) fn queue_xmit(skb: SkBuff, slave_dev: &Device) {
    let _ = skb.transmit_to_lower(slave_dev);
}

/// bond_tx_drop(): counted on the bond, then freed.
pub(crate) fn tx_drop(dev: &BondDev, skb: SkBuff) {
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
fn rr_gen_slave_id(dev: &BondDev, guard: &rcu::Guard) -> u32 {
    let bond = dev.data();
    // The counter exists from the first open in balance-rr on, before any transmit.
    let next = || bond.rr_tx_counter.get(guard).map_or(0, |c| c.inc_return());
    match bond.params.packets_per_slave.get() {
        0 => random::u32(),
        1 => next(),
        n => next() / n,
    }
}

/// bond_get_slave_by_id(): the first slave from `id` on that can transmit, wrapping.
fn slave_by_id(slaves: &[Arc<Slave>], id: usize) -> Option<&Arc<Slave>> {
    slaves[id..]
        .iter()
        .chain(slaves[..id].iter())
        .find(|s| s.can_tx())
}

/// bond_xmit_roundrobin_slave_get(); none without slaves.
pub(crate) fn roundrobin_slave<'a>(
    dev: &'a BondDev,
    slaves: &'a [Arc<Slave>],
    skb: &SkBuff,
    guard: &'a rcu::Guard,
) -> Option<&'a Arc<Slave>> {
    if is_igmp(skb) {
        // IGMP goes through the active slave, for consistent membership reports.
        return dev.data().curr_active(guard).or_else(|| slave_by_id(slaves, 0));
    }
    if slaves.is_empty() {
        return None;
    }
    let id = rr_gen_slave_id(dev, guard) as usize % slaves.len();
    slave_by_id(slaves, id)
}
