// SPDX-License-Identifier: GPL-2.0

//! Choosing and changing the active slave (bond_main.c: `bond_choose_primary_or_current`,
//! `bond_find_best_slave`, `bond_change_active_slave`, `bond_select_active_slave`,
//! `bond_hw_addr_swap`, `bond_do_fail_over_mac`, `bond_should_notify_peers`) and the IGMP
//! resend work (`bond_resend_igmp_join_requests_delayed`).

use crate::bond::{set_carrier, Bond, BondDev, MCAST_WORK};
use crate::enslave::slave_list;
use crate::options::{Mode, FOM_ACTIVE, FOM_FOLLOW, RESELECT_ALWAYS, RESELECT_BETTER, RESELECT_FAILURE};
use crate::slave::{link, Slave};
use core::sync::atomic::Ordering;
use kernel::{
    net::{device::flags, notifier::DriverEvent, Rtnl},

    sync::Arc,
    types::ARef,
};

fn same(a: &Option<Arc<Slave>>, b: &Option<Arc<Slave>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// bond_choose_primary_or_current().
fn choose_primary_or_current(dev: &BondDev, slaves: &[Arc<Slave>]) -> Option<Arc<Slave>> {
    let bond = dev.data();
    let mut prim = bond.primary_arc();
    let curr = bond.curr_active_arc();
    let curr_up = curr.as_ref().map_or(false, |c| c.link() == link::UP);

    if prim.as_ref().map_or(true, |p| p.link() != link::UP) {
        let mut hprio: Option<&Arc<Slave>> = None;
        for s in slaves {
            if s.link() == link::UP {
                let best = hprio.get_or_insert(s);
                if s.prio.load(Ordering::Relaxed) > best.prio.load(Ordering::Relaxed) {
                    hprio = Some(s);
                }
            }
        }
        match hprio {
            Some(h) if !curr.as_ref().map_or(false, |c| Arc::ptr_eq(c, h)) => prim = Some(h.clone()),
            _ => return if curr_up { curr } else { None },
        }
    } else if bond.force_primary.swap(false, Ordering::Relaxed) {
        return prim;
    }

    let prim = prim?;
    if !curr_up {
        return Some(prim);
    }
    let curr = curr?;
    match bond.params.primary_reselect.get() {
        RESELECT_ALWAYS => Some(prim),
        RESELECT_BETTER => {
            if prim.speed() < curr.speed()
                || (prim.speed() == curr.speed() && prim.duplex() <= curr.duplex())
            {
                Some(curr)
            } else {
                Some(prim)
            }
        }
        RESELECT_FAILURE => Some(curr),
        other => {
            log_bond!(dev, Err, "impossible primary_reselect {}\n", other);
            Some(curr)
        }
    }
}

/// bond_find_best_slave().
fn find_best_slave(dev: &BondDev, slaves: &[Arc<Slave>]) -> Option<Arc<Slave>> {
    if let Some(s) = choose_primary_or_current(dev, slaves) {
        return Some(s);
    }
    let mut mintime = dev.data().params.updelay.get() as i32;
    let mut best = None;
    for s in slaves {
        if s.link() == link::UP {
            return Some(s.clone());
        }
        let delay = s.delay.load(Ordering::Relaxed);
        if s.link() == link::BACK && s.is_up() && delay < mintime {
            mintime = delay;
            best = Some(s.clone());
        }
    }
    best
}

/// bond_should_notify_peers().
pub(crate) fn should_notify_peers(dev: &BondDev) -> bool {
    let bond = dev.data();
    if bond.curr_active_arc().is_none() {
        return false;
    }
    let left = bond.send_peer_notif.load(Ordering::Relaxed);
    let delay = bond.params.peer_notif_delay.get().max(1);
    left != 0 && left % delay == 0 && dev.carrier_ok()
}

/// bond_hw_addr_swap(): promiscuity and allmulti move to the new active, which leaves the NS
/// targets' multicast groups (see `monitor/ns.rs`). (The address lists
/// move in [`move_addr_lists`], once the new active slave is published.)
fn hw_addr_swap(dev: &BondDev, rtnl: &Rtnl, new: Option<&Arc<Slave>>, old: Option<&Arc<Slave>>) {
    let f = dev.flags();
    if let Some(old) = old {
        if f & flags::PROMISC != 0 {
            let _ = old.dev.set_promiscuity(rtnl, -1);
        }
        if f & flags::ALLMULTI != 0 {
            let _ = old.dev.set_allmulti(rtnl, -1);
        }
        // As in C, before the flags change: the old active slave is still active here, so
        // it does not join the NS targets' groups until the next arp_validate or target
        // change.
        crate::monitor::ns::slave_maddrs(dev.data(), rtnl, old, true);
    }
    if let Some(new) = new {
        if f & flags::PROMISC != 0 {
            let _ = new.dev.set_promiscuity(rtnl, 1);
        }
        if f & flags::ALLMULTI != 0 {
            let _ = new.dev.set_allmulti(rtnl, 1);
        }
        crate::monitor::ns::slave_maddrs(dev.data(), rtnl, new, false);
    }
}

/// bond_hw_addr_swap()'s address lists: off the old active slave, onto the new one.
///
/// Called after the new active slave is published and a grace period has passed, unlike
/// bonding.ko, which flushes the old slave first and publishes after. There, an address
/// added to or removed from the bond in between (IPv6 joins take no RTNL) runs
/// `ndo_set_rx_mode`, which still sees the old slave and syncs to it again; nothing unsyncs
/// it later, and the bond's entries keep that sync reference for good (seen in
/// `stress_addr_lists.sh`). Here every `set_rx_mode` that could still see the old slave has
/// finished before it is unsynced.
fn move_addr_lists(dev: &BondDev, new: Option<&Arc<Slave>>, old: Option<&Arc<Slave>>) {
    if dev.flags() & flags::UP == 0 {
        return;
    }
    if let Some(old) = old {
        old.dev.unsync_addr_lists_from(dev);
    }
    if let Some(new) = new {
        let _ = new.dev.sync_addr_lists_from(&dev.lock_addr_lists(), false);
    }
}

/// bond_do_fail_over_mac().
fn do_fail_over_mac(dev: &BondDev, rtnl: &Rtnl, new: Option<&Arc<Slave>>, old: Option<&Arc<Slave>>) {
    let bond = dev.data();
    match bond.params.fail_over_mac.get() {
        FOM_ACTIVE => {
            if let Some(new) = new {
                if let Err(e) = dev.take_hw_addr(rtnl, &new.dev.addr()) {
                    log_slave!(dev, new.dev, Err, "Error {} setting bond MAC from slave\n", -e.to_errno());
                }
            }
        }
        FOM_FOLLOW => {
            let Some(new) = new else { return };
            let old = match old {
                Some(o) => Some(o.clone()),
                None => slave_list(dev).ok().and_then(|l| {
                    l.iter()
                        .find(|s| !Arc::ptr_eq(s, new) && s.dev.addr() == dev.addr())
                        .cloned()
                }),
            };
            let new_mac = new.dev.addr();
            let target = old.as_ref().map_or_else(|| dev.addr(), |o| o.dev.addr());
            if let Err(e) = new.dev.set_mac_address(rtnl, &target, None) {
                log_slave!(dev, new.dev, Err, "Error {} setting MAC of new active slave\n", -e.to_errno());
                return;
            }
            if let Some(old) = old {
                if let Err(e) = old.dev.set_mac_address(rtnl, &new_mac, None) {
                    log_slave!(dev, old.dev, Err, "Error {} setting MAC of old active slave\n", -e.to_errno());
                }
            }
        }
        other => log_bond!(dev, Err, "bond_do_fail_over_mac impossible: bad policy {}\n", other),
    }
}

/// bond_change_active_slave().
pub(crate) fn change_active_slave(dev: &BondDev, rtnl: &Rtnl, new: Option<Arc<Slave>>) {
    let bond = dev.data();
    let old = bond.curr_active_arc();
    if same(&old, &new) {
        return;
    }
    let p = &bond.params;
    if let Some(n) = new.as_ref() {
        n.stamp_link_up();
        if n.link() == link::BACK {
            if bond.uses_primary() {
                let early = (p.updelay.get() as i32 - n.delay.load(Ordering::Relaxed)) * p.miimon.get() as i32;
                log_slave!(dev, n.dev, Info, "making interface the new active one {} ms earlier\n", early);
            }
            n.delay.store(0, Ordering::Relaxed);
            n.set_link(rtnl, link::UP);
            if let Ok(slaves) = slave_list(dev) {
                bond.mode_ops().link_changed(dev, rtnl, &slaves, n, true);
            }
        } else if bond.uses_primary() {
            log_slave!(dev, n.dev, Info, "making interface the new active one\n");
        }
    }
    if bond.uses_primary() {
        hw_addr_swap(dev, rtnl, new.as_ref(), old.as_ref());
    }
    if bond.set_curr_active(rtnl, new.clone()).is_err() {
        log_bond!(dev, Err, "out of memory changing the active slave\n");
        return;
    }
    if bond.uses_primary() {
        move_addr_lists(dev, new.as_ref(), old.as_ref());
    }

    // balance-tlb and -alb: the addresses follow the active slave, then the flags.
    bond.mode_ops().active_changed(dev, rtnl, new.as_ref(), old.as_ref());

    if p.mode() == Mode::ActiveBackup {
        let all_active = p.all_slaves_active.get() != 0;
        if let Some(o) = old.as_ref() {
            o.set_inactive_flags(rtnl, all_active);
        }
        if let Some(n) = new.as_ref() {
            n.set_active_flags(rtnl);
            if p.fail_over_mac.get() != 0 {
                do_fail_over_mac(dev, rtnl, Some(n), old.as_ref());
            }
            let mut notify = false;
            if dev.is_running() {
                let delay = p.peer_notif_delay.get().max(1);
                bond.send_peer_notif.store(p.num_peer_notif.get() * delay, Ordering::Relaxed);
                notify = should_notify_peers(dev);
            }
            dev.notify(rtnl, DriverEvent::BondingFailover);
            if notify {
                bond.send_peer_notif.fetch_sub(1, Ordering::Relaxed);
                dev.notify(rtnl, DriverEvent::NotifyPeers);
            }
        }
    }

    // Resend IGMP joins: the active slave changed, or they all went out on the old one.
    if dev.is_running()
        && p.resend_igmp.get() > 0
        && ((bond.uses_primary() && new.is_some()) || p.mode() == Mode::BalanceRr)
    {
        bond.igmp_retrans.store(p.resend_igmp.get(), Ordering::Relaxed);
        Bond::queue_work::<MCAST_WORK>(dev, 1);
    }
}

/// bond_select_active_slave().
pub(crate) fn select_active_slave(dev: &BondDev, rtnl: &Rtnl) {
    let Ok(slaves) = slave_list(dev) else { return };
    let best = find_best_slave(dev, &slaves);
    if !same(&best, &dev.data().curr_active_arc()) {
        change_active_slave(dev, rtnl, best);
        if !set_carrier(dev) {
            return;
        }
        if dev.carrier_ok() {
            log_bond!(dev, Info, "active interface up!\n");
        } else {
            log_bond!(dev, Info, "now running without any active interface!\n");
        }
    }
}

/// bond_resend_igmp_join_requests_delayed(): asks the multicast code to send the bond's
/// group memberships again, `resend_igmp` times, 200 ms apart.
pub(crate) fn resend_igmp(dev: ARef<BondDev>) {
    let Some(rtnl) = Rtnl::try_lock() else {
        Bond::queue_work::<MCAST_WORK>(&dev, 1);
        return;
    };
    dev.notify(&rtnl, DriverEvent::ResendIgmp);
    let bond = dev.data();
    if bond.igmp_retrans.load(Ordering::Relaxed) > 1 {
        bond.igmp_retrans.fetch_sub(1, Ordering::Relaxed);
        Bond::queue_work::<MCAST_WORK>(&dev, kernel::time::msecs_to_jiffies(200) as usize);
    }
}
