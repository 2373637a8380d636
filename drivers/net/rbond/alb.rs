// SPDX-License-Identifier: GPL-2.0

//! balance-tlb and balance-alb: transmit (and, for alb, receive) load balancing with no help
//! from the switch, as bond_alb.c does it.
//!
//! As with [`crate::lacp`], the protocol state is kept free of kernel objects: slaves are
//! named by their key (ifindex) and the glue here does the I/O. [`tlb`] is the transmit
//! table: 256 hash buckets, each given to the least-loaded slave that can transmit and
//! rebalanced every 10 s. [`rlb`] is alb's receive table: each client is given a slave, and
//! the bond's ARP replies teach the client that slave's MAC.
//!
//! This file is bond_alb.c's "exported alb functions" and its MAC address handling: the
//! tables live while the bond is up, every slave keeps an address of its own (the active
//! slave carries the bond's), and a failover swaps addresses and tells the switch and the
//! clients. The transmit and receive paths are in [`xmit`], the 100 ms work in [`monitor`].

pub(crate) mod monitor;
pub(crate) mod rlb;
pub(crate) mod tlb;
pub(crate) mod xmit;

use crate::bond::{Bond, BondDev, ALB_WORK};
use crate::modes::ModeOps;
use crate::options::Mode;
use crate::slave::Slave;

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{
    net::{device::HwAddr, Rtnl},
    prelude::*,
    sync::{rcu, Arc},
};
use rlb::RxTable;
use tlb::{Candidate, TxTable};

/// `ALB_TIMER_TICKS_PER_SEC`: the monitor runs every 100 ms.
pub(crate) const TICKS_PER_SEC: u32 = 10;
/// `BOND_TLB_REBALANCE_TICKS`.
const TLB_REBALANCE_TICKS: u32 = tlb::REBALANCE_INTERVAL * TICKS_PER_SEC;
/// `RLB_PROMISC_TIMEOUT`: ticks before the active slave leaves the promiscuous mode a
/// disabled slave's address put it in.
const RLB_PROMISC_TIMEOUT: u32 = 10 * TICKS_PER_SEC;

/// The mode's state under the mode lock (`struct alb_bond_info` less what RTNL guards).
pub(crate) struct Tables {
    /// The transmit table, while the bond is up.
    pub(crate) tx: Option<TxTable>,
    /// The receive table, while a balance-alb bond is up (`rlb_enabled`).
    pub(crate) rx: Option<RxTable>,
    /// Ticks since the last transmit rebalance (`tx_rebalance_counter`).
    tx_rebalance_counter: u32,
    /// Ticks since the last learning packets (`lp_counter`).
    lp_counter: u32,
}

impl Tables {
    /// No tables: the bond is down or in another mode.
    pub(crate) const fn new() -> Self {
        Self { tx: None, rx: None, tx_rebalance_counter: 0, lp_counter: 0 }
    }

    /// "Order a rebalance ASAP": at the next tick, for both tables.
    fn order_rebalance(&mut self) {
        self.tx_rebalance_counter = TLB_REBALANCE_TICKS;
        if let Some(rx) = self.rx.as_mut() {
            rx.request_rebalance();
        }
    }
}

/// What RTNL guards: the active slave was made promiscuous to hear a disabled slave's
/// address (`primary_is_promisc`), and for how many ticks since.
#[derive(Default)]
pub(crate) struct Promisc {
    on: AtomicBool,
    ticks: AtomicU32,
}

/// A slave as the tables see it.
pub(crate) fn candidate(s: &Slave) -> Candidate {
    Candidate { key: s.key(), speed: s.speed(), can_tx: s.can_tx() }
}

/// The slaves as the tables see them, in list order.
pub(crate) fn candidates(slaves: &[Arc<Slave>]) -> impl rlb::Candidates + '_ {
    slaves.iter().map(|s| candidate(s))
}

/// The slave of `slaves` with key `key`.
pub(crate) fn by_key(slaves: &[Arc<Slave>], key: u32) -> Option<&Arc<Slave>> {
    slaves.iter().find(|s| s.key() == key)
}

/// `bond_slave_has_mac()`: the slave whose current address is `addr`.
fn has_mac<'a>(slaves: &'a [Arc<Slave>], addr: &HwAddr) -> Option<&'a Arc<Slave>> {
    slaves.iter().find(|s| s.dev.addr() == *addr)
}

/// `is_valid_ether_addr()`.
pub(crate) fn is_valid_ether_addr(addr: &HwAddr) -> bool {
    let b = addr.as_bytes();
    b.len() == 6 && b[0] & 1 == 0 && !addr.is_zero()
}

/// alb_set_slave_mac_addr(): in balance-tlb only the address field changes (the slave keeps
/// receiving for the bond's address); in balance-alb the slave takes the address, as each
/// slave must receive for its own.
fn set_slave_mac(dev: &BondDev, rtnl: &Rtnl, slave: &Slave, addr: &HwAddr) -> Result {
    if dev.data().params.mode() == Mode::BalanceTlb {
        return slave.dev.overwrite_addr(rtnl, addr);
    }
    if slave.dev.set_mac_address(rtnl, addr, None).is_err() {
        log_slave!(dev, slave.dev, Err, "dev_set_mac_address on slave failed! ALB mode requires that the base driver support setting the hw address also when the network device's interface is open\n");
        return Err(EOPNOTSUPP);
    }
    Ok(())
}

/// alb_swap_mac_addr().
fn swap_mac(dev: &BondDev, rtnl: &Rtnl, a: &Slave, b: &Slave) {
    let a_addr = a.dev.addr();
    let _ = set_slave_mac(dev, rtnl, a, &b.dev.addr());
    let _ = set_slave_mac(dev, rtnl, b, &a_addr);
}

/// alb_fasten_mac_swap(): after a swap, the switch learns both addresses where they are
/// now, the clients of both slaves are told, and a slave that cannot transmit has its new
/// address taught on the active slave.
fn fasten_mac_swap(dev: &BondDev, rtnl: &Rtnl, a: &Slave, b: &Slave) {
    let bond = dev.data();
    let differ = a.can_tx() != b.can_tx();
    let mut disabled = None;
    for s in [a, b] {
        if s.can_tx() {
            monitor::send_learning_packets(dev, s, &s.dev.addr(), false);
            if let Some(rx) = bond.alb.lock().rx.as_mut() {
                rx.req_update_slave_clients(s.key());
            }
        } else {
            disabled = Some(s);
        }
    }
    let rlb = bond.alb.lock().rx.is_some();
    if let (true, true, Some(d)) = (rlb, differ, disabled) {
        teach_disabled_mac_on_primary(dev, rtnl, &d.dev.addr());
    }
}

/// rlb_teach_disabled_mac_on_primary(): the active slave hears a disabled slave's address
/// (promiscuous for a while) and the switch learns it there.
fn teach_disabled_mac_on_primary(dev: &BondDev, rtnl: &Rtnl, addr: &HwAddr) {
    let bond = dev.data();
    let Some(curr) = bond.curr_active_arc() else { return };
    if !bond.alb_promisc.on.load(Ordering::Relaxed) {
        let ok = curr.dev.set_promiscuity(rtnl, 1).is_ok();
        bond.alb_promisc.on.store(ok, Ordering::Relaxed);
    }
    bond.alb_promisc.ticks.store(0, Ordering::Relaxed);
    monitor::send_learning_packets(dev, &curr, addr, true);
}

/// rlb_clear_slave(): the slave's clients go to the other `slaves`, and unless it is the
/// active slave its address is taught on the active one. Nothing without a receive table.
fn rlb_clear_slave(dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>], slave: &Slave) {
    let bond = dev.data();
    match bond.alb.lock().rx.as_mut() {
        Some(rx) => rx.clear_slave(slave.key(), candidates(slaves)),
        None => return,
    }
    if !bond.curr_active_arc().map_or(false, |c| core::ptr::eq(&*c, slave)) {
        teach_disabled_mac_on_primary(dev, rtnl, &slave.dev.addr());
    }
}

/// Ends the active slave's promiscuity for a disabled slave's address, if it has one.
fn end_promisc(bond: &Bond, rtnl: &Rtnl, curr: &Slave) {
    if bond.alb_promisc.on.swap(false, Ordering::Relaxed) {
        let _ = curr.dev.set_promiscuity(rtnl, -1);
    }
    bond.alb_promisc.ticks.store(0, Ordering::Relaxed);
}

/// alb_handle_addr_collision_on_attach(): a joining slave whose address another slave (or
/// the bond) already uses gets the permanent address of a slave whose address is free.
/// `others` are the slaves already in the bond.
fn handle_addr_collision(dev: &BondDev, rtnl: &Rtnl, others: &[Arc<Slave>], slave: &Slave) -> Result {
    if others.is_empty() {
        return Ok(());
    }
    let bond_addr = dev.addr();
    let mut has_bond_addr = dev.data().curr_active_arc().is_some();
    if slave.perm_hwaddr != bond_addr {
        if has_mac(others, &slave.dev.addr()).is_none() {
            return Ok(());
        }
        // It takes the bond's address for now, and is handled as a slave with it.
        let _ = set_slave_mac(dev, rtnl, slave, &bond_addr);
    }
    let mut free = None;
    for t in others {
        if has_mac(others, &t.perm_hwaddr).is_none() {
            free = Some(t);
            break;
        }
        if !has_bond_addr && t.dev.addr() == bond_addr {
            has_bond_addr = true;
        }
    }
    if let Some(f) = free {
        let _ = set_slave_mac(dev, rtnl, slave, &f.perm_hwaddr);
        log_slave!(dev, slave.dev, Warn, "the slave hw address is in use by the bond; giving it the hw address of {}\n", f.dev.name());
    } else if has_bond_addr {
        log_slave!(dev, slave.dev, Err, "the slave hw address is in use by the bond; couldn't find a slave with a free hw address to give it (this should not have happened)\n");
        return Err(EFAULT);
    }
    Ok(())
}

/// bond_alb_set_mac_address(): balance-alb's `ndo_set_mac_address`. The slaves keep their
/// own addresses; the active slave takes the new one (swapping with a slave that had it).
pub(crate) fn set_mac_address(dev: &BondDev, rtnl: &Rtnl, addr: &HwAddr) -> Result {
    if !is_valid_ether_addr(addr) {
        return Err(EADDRNOTAVAIL);
    }
    dev.set_hw_addr(rtnl, addr)?;
    let bond = dev.data();
    let Some(curr) = bond.curr_active_arc() else { return Ok(()) };
    let slaves = crate::enslave::slave_list(dev)?;
    if let Some(swap) = has_mac(&slaves, addr) {
        swap_mac(dev, rtnl, swap, &curr);
        fasten_mac_swap(dev, rtnl, swap, &curr);
    } else {
        let _ = set_slave_mac(dev, rtnl, &curr, addr);
        monitor::send_learning_packets(dev, &curr, addr, false);
        if let Some(rx) = bond.alb.lock().rx.as_mut() {
            rx.req_update_slave_clients(curr.key());
        }
    }
    Ok(())
}

/// bond_alb_clear_vlan(): a VLAN left the bond; its clients go.
pub(crate) fn clear_vlan(bond: &Bond, vid: u16) {
    if let Some(rx) = bond.alb.lock().rx.as_mut() {
        rx.clear_vlan(vid);
    }
}

/// balance-tlb and balance-alb.
pub(crate) struct LoadBalancing;

impl ModeOps for LoadBalancing {
    /// bond_alb_init_slave(), then the flags bond_enslave() gives: active as far as the stack
    /// knows, inactive for receive until it is the active slave.
    fn enslave(&self, dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>], slave: &Arc<Slave>) -> Result {
        set_slave_mac(dev, rtnl, slave, &slave.perm_hwaddr)?;
        let others = &slaves[..slaves.len().saturating_sub(1)];
        if let Err(e) = handle_addr_collision(dev, rtnl, others, slave) {
            let _ = set_slave_mac(dev, rtnl, slave, &dev.addr());
            return Err(e);
        }
        {
            let mut tables = dev.data().alb.lock();
            if let Some(tx) = tables.tx.as_mut() {
                tx.add_slave(slave.key(), GFP_ATOMIC)?;
            }
            tables.order_rebalance();
        }
        slave.set_active_flags(rtnl);
        slave.set_inactive_flags(rtnl, dev.data().params.all_slaves_active.get() != 0);
        Ok(())
    }

    /// The slave leaves the transmit table (a failed enslave, or the start of a release).
    fn unbind(&self, dev: &BondDev, _slaves: &[Arc<Slave>], slave: &Slave) {
        if let Some(tx) = dev.data().alb.lock().tx.as_mut() {
            tx.remove_slave(slave.key());
        }
    }

    /// bond_alb_deinit_slave(): its address goes back to whoever should have it, and its
    /// clients to the other slaves.
    fn released(&self, dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>], slave: &Slave) {
        let bond = dev.data();
        if !slaves.is_empty() {
            // alb_change_hw_addr_on_detach(): a slave using the leaving one's permanent
            // address swaps with it.
            let addr = slave.dev.addr();
            if slave.perm_hwaddr != addr && slave.perm_hwaddr != dev.addr() {
                if let Some(found) = has_mac(slaves, &slave.perm_hwaddr) {
                    swap_mac(dev, rtnl, slave, found);
                    fasten_mac_swap(dev, rtnl, slave, found);
                }
            }
        }
        if let Some(rx) = bond.alb.lock().rx.as_mut() {
            rx.forget_rx_slave();
        }
        rlb_clear_slave(dev, rtnl, slaves, slave);
    }

    /// bond_open()'s step: the tables, the receive hook, and the monitor (not for balance-tlb
    /// with `tlb_dynamic_lb 0`, which needs neither).
    fn open(&self, dev: &BondDev, _rtnl: &Rtnl, slaves: &[Arc<Slave>]) -> Result {
        let bond = dev.data();
        let mut tx = TxTable::new(GFP_KERNEL)?;
        for s in slaves {
            tx.add_slave(s.key(), GFP_KERNEL)?;
        }
        let alb = bond.params.mode() == Mode::BalanceAlb;
        let rx = if alb { Some(RxTable::new(GFP_KERNEL)?) } else { None };
        {
            let mut tables = bond.alb.lock();
            *tables = Tables::new();
            tables.tx = Some(tx);
            tables.rx = rx;
        }
        bond.rlb_rx.store(alb, Ordering::Relaxed);
        if bond.params.tlb_dynamic_lb.get() != 0 || alb {
            Bond::queue_work::<ALB_WORK>(dev, 0);
        }
        Ok(())
    }

    /// bond_alb_deinitialize(), after the monitor was cancelled.
    fn close(&self, dev: &BondDev) {
        let bond = dev.data();
        bond.rlb_rx.store(false, Ordering::Relaxed);
        let old = core::mem::replace(&mut *bond.alb.lock(), Tables::new());
        // Freed outside the lock.
        drop(old);
    }

    /// bond_alb_handle_link_change().
    fn link_changed(&self, dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>], slave: &Slave, up: bool) {
        let bond = dev.data();
        if up {
            bond.alb.lock().order_rebalance();
        } else {
            if let Some(tx) = bond.alb.lock().tx.as_mut() {
                tx.clear_slave(slave.key(), false);
            }
            rlb_clear_slave(dev, rtnl, slaves, slave);
        }
        if bond.params.tlb_dynamic_lb.get() == 0 && bond.update_slave_arr(rtnl, None).is_err() {
            crate::log_plain!(Err, "Failed to build slave-array for TLB mode.\n");
        }
    }

    /// bond_alb_handle_active_change(), after the core published `new`: the new active slave
    /// takes the bond's address (swapping with whoever had it), then the flags.
    fn active_changed(&self, dev: &BondDev, rtnl: &Rtnl, new: Option<&Arc<Slave>>, old: Option<&Arc<Slave>>) {
        let bond = dev.data();
        if let Some(o) = old {
            if bond.alb_promisc.on.load(Ordering::Relaxed) {
                end_promisc(bond, rtnl, o);
            }
        }
        if let Some(n) = new {
            change_addresses(dev, rtnl, n, old);
        }
        let all_active = bond.params.all_slaves_active.get() != 0;
        if let Some(o) = old {
            o.set_inactive_flags(rtnl, all_active);
        }
        if let Some(n) = new {
            n.set_active_flags(rtnl);
        }
    }
}

/// The address part of bond_alb_handle_active_change().
fn change_addresses(dev: &BondDev, rtnl: &Rtnl, new: &Arc<Slave>, old: Option<&Arc<Slave>>) {
    let bond = dev.data();
    let Ok(slaves) = crate::enslave::slave_list(dev) else { return };
    if slaves.is_empty() {
        return;
    }
    let bond_addr = dev.addr();
    let swap = old.cloned().or_else(|| has_mac(&slaves, &bond_addr).cloned());
    {
        // Both let their buckets go while their addresses change.
        let mut tables = bond.alb.lock();
        if let Some(tx) = tables.tx.as_mut() {
            if let Some(s) = swap.as_ref() {
                tx.clear_slave(s.key(), true);
            }
            tx.clear_slave(new.key(), true);
        }
    }
    if bond.params.mode() == Mode::BalanceTlb {
        // The slave may have been down and up with its own address, filtering the bond's:
        // its driver is given the bond's address, its address field keeps its own.
        let own = new.dev.addr();
        let _ = new.dev.set_mac_address(rtnl, &bond_addr, None);
        let _ = new.dev.overwrite_addr(rtnl, &own);
    }
    match swap {
        Some(s) => {
            swap_mac(dev, rtnl, &s, new);
            fasten_mac_swap(dev, rtnl, &s, new);
        }
        None => {
            let _ = set_slave_mac(dev, rtnl, new, &bond_addr);
            monitor::send_learning_packets(dev, new, &bond_addr, false);
        }
    }
}

/// The active slave's key, if any.
pub(crate) fn active_key(bond: &Bond, guard: &rcu::Guard) -> Option<u32> {
    bond.curr_active(guard).map(|s| s.key())
}

/// Logs the clients the table found with no slave (rlb_req_update_subnet_clients()).
pub(crate) fn log_orphans(dev: &BondDev, orphans: usize) {
    for _ in 0..orphans {
        log_bond!(dev, Err, "found a client with no channel in the client's hash table\n");
    }
}
