// SPDX-License-Identifier: GPL-2.0

//! Netdevice events: bond_main.c's `bond_netdev_event()`, `bond_master_netdev_event()` and
//! `bond_slave_netdev_event()`.
//!
//! A bond registering gets its /proc and sysfs files and joins its namespace's list; a bond
//! unregistering loses them. A slave device going away is released; its carrier and speed
//! changes, renames and feature changes reach its bond.

use crate::active;
use crate::bond::{Bond, BondDev};
use crate::enslave;
use crate::net::BondNet;
use crate::procfs::BondInfo;
use crate::slave::link;
use crate::sysfs;
use kernel::{
    net::{
        device::Device,
        link::Ident,
        namespace,
        notifier::{DriverEvent, Event, Notifier, NotifyResult},
        procfs, Rtnl,
    },
    prelude::*,
    str::CString,
    sync::Arc,
};

/// The module's netdevice notifier.
pub(crate) struct Events {
    /// Recognises bonds (kept past the link type's unregistration, which deletes bonds).
    pub(crate) bonds: Ident<Bond>,
    /// Per-namespace state.
    pub(crate) pernet: Arc<namespace::Registration<BondNet>>,
}

impl Notifier for Events {
    /// bonding_netdev_event(): a bond gets the master events, and a slave the slave events;
    /// a bond enslaved to another bond gets both (its release from the upper bond when it is
    /// deleted comes from the slave events).
    fn event(&self, rtnl: &Rtnl, event: Event, dev: &Device) -> NotifyResult {
        if let Some(bond) = self.bonds.downcast(dev) {
            self.master_event(rtnl, event, bond);
        }
        if enslave::is_bond_slave(dev) {
            if let Some(bond) = dev.master(rtnl).and_then(|m| self.bonds.downcast(m)) {
                slave_event(rtnl, event, bond, dev);
            }
        }
        NotifyResult::Done
    }
}

impl Events {
    /// bond_master_netdev_event().
    fn master_event(&self, rtnl: &Rtnl, event: Event, bond: &BondDev) {
        let bn = self.pernet.get(bond.net(rtnl));
        match event {
            Event::Register => {
                let _ = bn.bonds().lock().push(bond.into(), GFP_KERNEL);
                create_proc_entry(&bn, bond);
                match sysfs::bond_files(bond, rtnl) {
                    Ok(files) => bond.data().surfaces.lock().files = Some(files),
                    Err(_) => crate::log_bond!(bond, Err, "Error creating the bonding sysfs directory\n"),
                }
            }
            Event::Unregister => {
                bond.data().surfaces.lock().clear(rtnl);
                let mut list = bn.bonds().lock();
                if let Some(i) = list.iter().position(|b| b.is(bond)) {
                    // Never allocates: a bond always leaves the list.
                    drop(list.remove(i));
                }
            }
            Event::ChangeName => {
                bond.data().surfaces.lock().proc = None;
                create_proc_entry(&bn, bond);
            }
            _ => {}
        }
    }
}

/// bond_create_proc_entry().
fn create_proc_entry(bn: &BondNet, bond: &BondDev) {
    let Some(dir) = bn.proc_dir() else { return };
    let name = match CString::try_from_fmt(kernel::fmt!("{}", bond.name())) {
        Ok(n) => n,
        Err(_) => return,
    };
    match procfs::File::new(dir, &name, BondInfo(bond.into())) {
        Ok(f) => bond.data().surfaces.lock().proc = Some(f),
        // bond_create_proc_entry(): netdev_warn(), "Cannot create /proc/net/bonding/<bond>".
        Err(_) => crate::log_bond!(bond, Warn, "Cannot create /proc/net/bonding/{}\n", bond.name()),
    }
}

/// bond_slave_netdev_event().
fn slave_event(rtnl: &Rtnl, event: Event, dev: &BondDev, slave_dev: &Device) {
    let bond = dev.data();
    let Some(slave) = bond.find_slave(slave_dev) else { return };
    match event {
        Event::Unregister => {
            let _ = enslave::release(dev, rtnl, slave_dev, false, true);
        }
        Event::Up | Event::Change | Event::Down => {
            if event != Event::Down && slave.update_speed_duplex(rtnl) && bond.params.mode().needs_speed_duplex() {
                let last_up = slave.last_link_up.load(core::sync::atomic::Ordering::Relaxed);
                slave.set_link_quiet(if last_up != 0 { link::FAIL } else { link::DOWN });
            }
            if event != Event::Down {
                if let Ok(slaves) = crate::enslave::slave_list(dev) {
                    bond.mode_ops().speed_duplex_changed(dev, &slaves, &slave);
                }
            }
            // The transmit arrays follow the slave even without a link monitor.
            if bond.params.mode().can_use_xmit_hash() {
                let _ = bond.update_slave_arr(rtnl, None);
            }
            // The MII monitor looks now rather than at its next tick (bonding.ko waits for
            // the tick): the carrier it reads has just changed. With use_carrier 0 it asks
            // the driver, which the event says nothing about, so it keeps its ticks.
            let p = &bond.params;
            if p.miimon.get() != 0 && p.use_carrier.get() != 0 && dev.is_running() {
                crate::monitor::mii::look_now(dev, rtnl);
            }
        }
        Event::ChangeName => {
            if !bond.uses_primary() {
                return;
            }
            let primary_name = bond.strings.lock().primary;
            let len = primary_name.iter().position(|&b| b == 0).unwrap_or(16);
            if len == 0 {
                return;
            }
            let primary = bond.primary_arc();
            let was_primary = primary.as_ref().map_or(false, |p| Arc::ptr_eq(p, &slave));
            if was_primary {
                let _ = bond.set_primary(rtnl, None);
            } else if slave_dev.name().as_bytes() == &primary_name[..len] {
                let _ = bond.set_primary(rtnl, Some(slave.clone()));
            } else {
                return;
            }
            let name = slave_dev.name();
            crate::log_bond!(
                dev,
                Info,
                "Primary slave changed to {}, reselecting active slave\n",
                if primary.is_some() { name.as_cstr().to_str().unwrap_or("") } else { "none" }
            );
            active::select_active_slave(dev, rtnl);
        }
        Event::FeatChange => dev.compute_master_upper_features(rtnl, true),
        Event::ResendIgmp => dev.notify(rtnl, DriverEvent::ResendIgmp),
        _ => {}
    }
}
