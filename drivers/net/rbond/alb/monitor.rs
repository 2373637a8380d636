// SPDX-License-Identifier: GPL-2.0

//! balance-tlb and balance-alb's 100 ms work: bond_alb.c's `bond_alb_monitor()` and the
//! learning packets (`alb_send_learning_packets()`, `alb_send_lp_vid()`,
//! `alb_upper_dev_walk()`).
//!
//! Every `lp_interval` seconds each slave sends a frame from its own address, untagged and
//! once per VLAN on the bond, so the switch keeps learning where each address is. Every
//! 10 s the transmit table is rebalanced. In alb, the receive table's rebalance and client
//! updates run here too, and the active slave leaves the promiscuous mode a disabled slave's
//! address put it in after 10 s.

use super::xmit::send_client_update;
use super::{candidates, end_promisc, Tables, RLB_PROMISC_TIMEOUT, TICKS_PER_SEC, TLB_REBALANCE_TICKS};
use crate::bond::{Bond, BondDev, ALB_WORK};
use core::sync::atomic::Ordering;
use kernel::{
    net::{
        device::{Device, HwAddr, VlanProto},
        skb::SkBuff,
        Rtnl,
    },
    sync::rcu,
    time::msecs_to_jiffies,
    types::ARef,
};

/// `ETH_P_LOOPBACK`: the learning packet's EtherType.
const ETH_P_LOOPBACK: u16 = 0x9000;
/// `ETH_ZLEN`: a learning packet is a minimum-size frame.
const ETH_ZLEN: usize = 60;
/// `TC_PRIO_CONTROL`.
const TC_PRIO_CONTROL: u32 = 7;
/// `NET_ADDR_STOLEN`: a VLAN device that took its lower device's address.
const NET_ADDR_STOLEN: u8 = 2;
/// How deep the walk above the bond goes (`MAX_NEST_DEV`).
const MAX_DEPTH: u32 = 8;

/// alb_send_lp_vid(): one learning packet from and to `mac`, tagged for `vlan` if given.
fn send_lp(slave_dev: &Device, mac: &[u8], vlan: Option<(VlanProto, u16)>) {
    // C copies 6 bytes (ether_addr_copy) whatever the device's address length: the first 6,
    // here zero-padded for a shorter address.
    let mut addr = [0u8; 6];
    let n = mac.len().min(6);
    addr[..n].copy_from_slice(&mac[..n]);
    let mut frame = [0u8; ETH_ZLEN];
    frame[..6].copy_from_slice(&addr);
    frame[6..12].copy_from_slice(&addr);
    frame[12..14].copy_from_slice(&ETH_P_LOOPBACK.to_be_bytes());
    let Ok(mut skb) = SkBuff::alloc(32, ETH_ZLEN) else { return };
    if skb.put(&frame).is_err() {
        return;
    }
    skb.reset_headers();
    skb.set_protocol(ETH_P_LOOPBACK);
    skb.set_priority(TC_PRIO_CONTROL);
    if let Some((proto, vid)) = vlan.filter(|(_, vid)| *vid != 0) {
        skb.put_vlan_tag(proto, vid);
    }
    let _ = skb.transmit(slave_dev);
}

/// alb_upper_dev_walk() over the devices above `dev` (the bond at `depth` 0): each VLAN
/// directly on the bond gets a packet (from `mac` if it took the bond's address, else from
/// its own), and unless `strict`, each macvlan gets one from its address, tagged for the
/// VLAN its path starts with (`bond_verify_device_path()`'s first tag).
fn walk_uppers(
    slave_dev: &Device,
    dev: &Device,
    mac: &[u8],
    strict: bool,
    path_vlan: Option<(VlanProto, u16)>,
    depth: u32,
    guard: &rcu::Guard,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for upper in dev.uppers_rcu(guard) {
        let vlan = upper.vlan();
        let path = if depth == 0 { vlan } else { path_vlan };
        if depth == 0 {
            if let Some(v) = vlan {
                if upper.addr_assign_type() == NET_ADDR_STOLEN {
                    send_lp(slave_dev, mac, Some(v));
                } else {
                    send_lp(slave_dev, upper.addr().as_bytes(), Some(v));
                }
            }
        }
        if upper.is_macvlan() && !strict {
            send_lp(slave_dev, upper.addr().as_bytes(), path);
        }
        walk_uppers(slave_dev, upper, mac, strict, path, depth + 1, guard);
    }
}

/// alb_send_learning_packets(): untagged, then for the devices above the bond.
pub(crate) fn send_learning_packets(dev: &BondDev, slave: &crate::slave::Slave, mac: &HwAddr, strict: bool) {
    send_lp(&slave.dev, mac.as_bytes(), None);
    let guard = rcu::read_lock();
    walk_uppers(&slave.dev, dev, mac.as_bytes(), strict, None, 0, &guard);
}

/// What a tick found due, decided under the mode lock.
struct Due {
    learning: bool,
    rlb: bool,
}

/// The table steps of a tick, under the mode lock.
fn tick_tables(bond: &Bond, tables: &mut Tables, guard: &rcu::Guard) -> Due {
    let slaves = bond.slaves(guard);
    tables.tx_rebalance_counter += 1;
    tables.lp_counter += 1;
    // `BOND_ALB_LP_TICKS()`, in C's `u32`.
    let lp_ticks = bond.params.lp_interval.get().wrapping_mul(TICKS_PER_SEC);
    let learning = tables.lp_counter >= lp_ticks;
    if learning {
        tables.lp_counter = 0;
    }
    if tables.tx_rebalance_counter >= TLB_REBALANCE_TICKS {
        let active = bond.curr_active(guard).map(|s| s.key());
        if let Some(tx) = tables.tx.as_mut() {
            tx.rebalance(slaves.iter().map(|s| s.key()), active);
        }
        tables.tx_rebalance_counter = 0;
    }
    Due { learning, rlb: tables.rx.is_some() }
}

/// bond_alb_monitor().
pub(crate) fn alb_monitor(dev: ARef<BondDev>) {
    let bond = dev.data();
    let delay = msecs_to_jiffies(1000 / TICKS_PER_SEC) as usize;
    if !bond.has_slaves() {
        let mut tables = bond.alb.lock();
        tables.tx_rebalance_counter = 0;
        tables.lp_counter = 0;
        drop(tables);
        Bond::queue_work::<ALB_WORK>(&dev, delay);
        return;
    }
    let due = {
        let guard = rcu::read_lock();
        tick_tables(bond, &mut bond.alb.lock(), &guard)
    };
    if due.learning {
        let guard = rcu::read_lock();
        let curr = bond.curr_active(&guard);
        for s in bond.slaves(&guard) {
            // The active slave also speaks for the macvlans above the bond, but in alb.
            let strict = due.rlb || !curr.map_or(false, |c| core::ptr::eq(&**c, &**s));
            send_learning_packets(&dev, s, &s.dev.addr(), strict);
        }
    }
    if due.rlb {
        if bond.alb_promisc.on.load(Ordering::Relaxed)
            && bond.alb_promisc.ticks.fetch_add(1, Ordering::Relaxed) + 1 >= RLB_PROMISC_TIMEOUT
        {
            // dev_set_promiscuity() needs RTNL; a busy RTNL is tried again next tick.
            if let Some(rtnl) = Rtnl::try_lock() {
                if let Some(curr) = bond.curr_active_arc() {
                    end_promisc(bond, &rtnl, &curr);
                }
            }
        }
        let guard = rcu::read_lock();
        let slaves = bond.slaves(&guard);
        if let Some(rx) = bond.alb.lock().rx.as_mut() {
            rx.tick(candidates(slaves), &mut |u| send_client_update(slaves, u));
        }
    }
    Bond::queue_work::<ALB_WORK>(&dev, delay);
}
