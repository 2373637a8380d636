// SPDX-License-Identifier: GPL-2.0

//! Enslaving and releasing devices: bond_main.c's `bond_enslave()` and
//! `__bond_release_one()`, with bonding.ko's checks, errnos and messages, and the same undo
//! order when a step fails.

use crate::active;
use crate::bond::{set_carrier, BondDev, SlaveEntry, ARPHRD_CAN, ARPHRD_ETHER, ARPHRD_INFINIBAND};
use crate::monitor::mii::LinkCheck;
use crate::options::{Mode, FOM_ACTIVE, FOM_FOLLOW};
use crate::slave::{link, Slave};
use kernel::{
    c_str,
    net::{
        device::{flags, lag, priv_flags, Device, Features, HwAddr, LagInfo, LowerMark},
        netlink::ExtAck,
        notifier::DriverEvent,
        rx_handler, Rtnl,
    },
    prelude::*,
    random,
    sync::{rcu, Arc},
};

/// `NET_ADDR_RANDOM`.
const NET_ADDR_RANDOM: u8 = 1;

/// A copy of the bond's slave list, for walking it while calling functions that may sleep.
pub(crate) fn slave_list(dev: &BondDev) -> Result<KVec<Arc<Slave>>> {
    let guard = rcu::read_lock();
    let slaves = dev.data().slaves(&guard);
    let mut v = KVec::with_capacity(slaves.len(), GFP_ATOMIC)?;
    for s in slaves {
        v.push(s.clone(), GFP_ATOMIC)?;
    }
    Ok(v)
}

/// BOND_NL_ERR(): the message to netlink if the request came that way, else to the log.
fn bond_err(dev: &BondDev, extack: &mut Option<&mut ExtAck>, msg: &'static CStr) {
    match extack.as_deref_mut() {
        Some(e) => e.set_message(msg),
        None => log_bond!(dev, Err, "Error: {}\n", msg.to_str().unwrap_or("")),
    }
}

/// SLAVE_NL_ERR().
fn slave_err(dev: &BondDev, slave: &Device, extack: &mut Option<&mut ExtAck>, msg: &'static CStr) {
    match extack.as_deref_mut() {
        Some(e) => e.set_message(msg),
        None => log_slave!(dev, slave, Err, "Error: {}\n", msg.to_str().unwrap_or("")),
    }
}

/// The LAG transmit type the stack is told for the bond's mode (bond_lag_tx_type).
fn lag_info(mode: Mode) -> LagInfo {
    let tx_type = match mode {
        Mode::BalanceRr => lag::TX_ROUNDROBIN,
        Mode::ActiveBackup => lag::TX_ACTIVEBACKUP,
        Mode::Broadcast => lag::TX_BROADCAST,
        Mode::BalanceXor | Mode::Ieee8023ad => lag::TX_HASH,
        Mode::BalanceTlb | Mode::BalanceAlb => lag::TX_UNKNOWN,
    };
    LagInfo {
        tx_type,
        hash_type: lag::HASH_NONE,
    }
}

/// bond_slave_is_up(): the device is running and has carrier. (The MII monitor's view of the
/// link, which `use_carrier` changes, is [`crate::monitor::mii::LinkCheck`].)
pub(crate) fn dev_link_up(dev: &Device) -> bool {
    dev.is_running() && dev.carrier_ok()
}

/// bond_enslave().
pub(crate) fn enslave(
    dev: &BondDev,
    rtnl: &Rtnl,
    slave_dev: &Device,
    mut extack: Option<&mut ExtAck>,
) -> Result {
    let bond = dev.data();

    if slave_dev.hw_type() == ARPHRD_CAN {
        bond_err(dev, &mut extack, c_str!("CAN devices cannot be enslaved"));
        return Err(EPERM);
    }
    if slave_dev.flags() & flags::MASTER != 0 && slave_dev.priv_flags() & priv_flags::BONDING == 0 {
        bond_err(dev, &mut extack, c_str!("Device type (master device) cannot be enslaved"));
        return Err(EPERM);
    }
    if bond.params.use_carrier.get() == 0 && !slave_dev.has_link_reporting() {
        log_slave!(dev, slave_dev, Warn, "no link monitoring support\n");
    }
    if slave_dev.has_rx_handler(rtnl) {
        slave_err(dev, slave_dev, &mut extack, c_str!("Device is in use and cannot be enslaved"));
        return Err(EBUSY);
    }
    if slave_dev.is(dev) {
        bond_err(dev, &mut extack, c_str!("Cannot enslave bond to itself."));
        return Err(EPERM);
    }
    if slave_dev.features().contains(Features::VLAN_CHALLENGED) {
        if dev.vlan_uses_dev(rtnl) {
            slave_err(dev, slave_dev, &mut extack, c_str!("Can not enslave VLAN challenged device to VLAN enabled bond"));
            return Err(EPERM);
        }
        log_slave!(dev, slave_dev, Warn, "enslaved VLAN challenged slave. Adding VLANs will be blocked as long as it is part of bond.\n");
    }
    if slave_dev.flags() & flags::UP != 0 {
        slave_err(dev, slave_dev, &mut extack, c_str!("Device can not be enslaved while up"));
        return Err(EPERM);
    }
    let first = !bond.has_slaves();
    if first {
        if dev.hw_type() != slave_dev.hw_type() {
            change_type(dev, rtnl, slave_dev, &mut extack)?;
        }
    } else if dev.hw_type() != slave_dev.hw_type() {
        slave_err(dev, slave_dev, &mut extack, c_str!("Device type is different from other slaves"));
        return Err(EINVAL);
    }

    let result = check_mac_policy(dev, slave_dev, &mut extack, first).and_then(|()| {
        slave_dev.notify(rtnl, DriverEvent::Join);
        // The first slave gives the bond its address, unless the bond has one of its own.
        if first && dev.addr_assign_type() == NET_ADDR_RANDOM {
            dev.take_hw_addr(rtnl, &slave_dev.addr())?;
        }
        attach(dev, rtnl, slave_dev, &mut extack, first)
    });
    if result.is_err() && !bond.has_slaves() {
        // err_undo_flags: a failed first slave leaves the bond as it found it: with an address
        // of its own, and Ethernet (down, if it had to change back).
        let (own, theirs) = (dev.addr(), slave_dev.addr());
        if own.as_bytes().len() >= 6 && theirs.as_bytes().get(..6) == own.as_bytes().get(..6) {
            dev.random_hw_addr(rtnl);
        }
        if dev.hw_type() != ARPHRD_ETHER {
            dev.close(rtnl);
            ether_setup(dev, rtnl);
        }
    }
    result
}

/// The bond's link layer follows its first slave (bond_enslave()'s type change): a slave of
/// another type, say a tun device or InfiniBand, gives the bond its type, header lengths and
/// addresses (bond_setup_by_slave()); an Ethernet one makes the bond Ethernet again.
fn change_type(dev: &BondDev, rtnl: &Rtnl, slave_dev: &Device, extack: &mut Option<&mut ExtAck>) -> Result {
    if slave_dev.hw_type() != ARPHRD_ETHER && dev.data().params.mode() == Mode::Ieee8023ad {
        slave_err(dev, slave_dev, extack, c_str!("8023AD mode requires Ethernet devices"));
        return Err(EINVAL);
    }
    if dev.notify_checked(rtnl, DriverEvent::PreTypeChange).is_err() {
        log_slave!(dev, slave_dev, Err, "refused to change device type\n");
        return Err(EBUSY);
    }
    dev.flush_addr_lists(rtnl);
    if slave_dev.hw_type() != ARPHRD_ETHER {
        dev.adopt_link_layer(rtnl, slave_dev);
    } else {
        ether_setup(dev, rtnl);
    }
    dev.notify(rtnl, DriverEvent::PostTypeChange);
    Ok(())
}

/// bond_ether_setup(): Ethernet again, still a master, keeping `IFF_SLAVE` and `IFF_UP`.
fn ether_setup(dev: &BondDev, rtnl: &Rtnl) {
    dev.reset_ether_link_layer(rtnl, flags::SLAVE | flags::UP, flags::MASTER);
}

/// The checks of bond_enslave() on the slave's type and its MAC address before anything
/// changes: InfiniBand only in active-backup, and a slave that cannot take the bond's
/// address needs `fail_over_mac active` in active-backup (set for the first slave).
fn check_mac_policy(dev: &BondDev, slave_dev: &Device, extack: &mut Option<&mut ExtAck>, first: bool) -> Result {
    let bond = dev.data();
    let mode = bond.params.mode();
    let infiniband = slave_dev.hw_type() == ARPHRD_INFINIBAND;
    if infiniband && mode != Mode::ActiveBackup {
        slave_err(dev, slave_dev, extack, c_str!("Only active-backup mode is supported for infiniband slaves"));
        return Err(EOPNOTSUPP);
    }
    if !slave_dev.can_set_mac_address() || infiniband {
        log_slave!(dev, slave_dev, Warn, "The slave device specified does not support setting the MAC address\n");
        if mode == Mode::ActiveBackup && bond.params.fail_over_mac.get() != FOM_ACTIVE {
            if first {
                bond.params.fail_over_mac.set(FOM_ACTIVE);
                log_slave!(dev, slave_dev, Warn, "Setting fail_over_mac to active for active-backup mode\n");
            } else {
                slave_err(
                    dev,
                    slave_dev,
                    extack,
                    c_str!("Slave device does not support setting the MAC address, but fail_over_mac is not set to active"),
                );
                return Err(EOPNOTSUPP);
            }
        }
    }
    Ok(())
}

/// Everything of bond_enslave() from allocating the slave on, undone in reverse on failure.
fn attach(
    dev: &BondDev,
    rtnl: &Rtnl,
    slave_dev: &Device,
    extack: &mut Option<&mut ExtAck>,
    first: bool,
) -> Result {
    let bond = dev.data();
    let mode = bond.params.mode();
    let fom = bond.params.fail_over_mac.get();

    let slave = Slave::new(slave_dev, dev, slave_dev.mtu())?;
    // The ARP monitor's clocks start one interval in the past: nothing heard or sent yet.
    let heard = (kernel::time::jiffies() as usize)
        .wrapping_sub(kernel::time::msecs_to_jiffies(bond.params.arp_interval.get()) as usize + 1);
    slave.last_rx.store(heard, core::sync::atomic::Ordering::Relaxed);
    slave.last_tx.store(heard, core::sync::atomic::Ordering::Relaxed);
    for t in &slave.target_last_arp_rx {
        t.store(heard, core::sync::atomic::Ordering::Relaxed);
    }
    if let Err(e) = slave_dev.set_mtu(rtnl, dev.mtu()) {
        log_slave!(dev, slave_dev, Err, "Error {} calling dev_set_mtu\n", e.to_errno());
        return Err(e);
    }
    let restore_mtu = || {
        let _ = slave_dev.set_mtu(rtnl, slave.original_mtu);
    };

    // The slave takes the bond's address, except with fail_over_mac in active-backup.
    let new_mac = if fom == 0 || mode != Mode::ActiveBackup {
        Some(dev.addr())
    } else if fom == FOM_FOLLOW && !first && slave_dev.addr() == dev.addr() {
        Some(random_ether_addr())
    } else {
        None
    };
    if let Some(addr) = new_mac {
        if let Err(e) = slave_dev.set_mac_address(rtnl, &addr, extack.as_deref_mut()) {
            log_slave!(dev, slave_dev, Err, "Error {} calling set_mac_address\n", e.to_errno());
            restore_mtu();
            return Err(e);
        }
    }
    let restore_mac = || {
        if fom == 0 || mode != Mode::ActiveBackup {
            let _ = slave_dev.set_mac_address(rtnl, &slave.perm_hwaddr, None);
        }
    };

    slave_dev.set_lower_mark(rtnl, LowerMark::NoAddrconf, true);
    if let Err(e) = slave_dev.open(rtnl, extack.as_deref_mut()) {
        log_slave!(dev, slave_dev, Err, "Opening slave failed\n");
        slave_dev.set_lower_mark(rtnl, LowerMark::NoAddrconf, false);
        restore_mac();
        restore_mtu();
        return Err(e);
    }
    slave_dev.set_lower_mark(rtnl, LowerMark::Bonding, true);
    bond.reset_slave_stats(&slave);

    let close = || {
        slave_dev.set_lower_mark(rtnl, LowerMark::Bonding, false);
        slave_dev.close(rtnl);
        slave_dev.set_lower_mark(rtnl, LowerMark::NoAddrconf, false);
        restore_mac();
        restore_mtu();
    };

    if let Err(e) = slave_dev.vlan_vids_add_by_dev(rtnl, dev) {
        log_slave!(dev, slave_dev, Err, "Couldn't add bond vlan ids\n");
        close();
        return Err(e);
    }

    init_link_state(dev, rtnl, &slave);

    if bond.uses_primary() {
        let is_primary = {
            let strings = bond.strings.lock();
            !strings.primary().is_empty() && strings.primary() == slave_dev.name().as_bytes()
        };
        if is_primary {
            if let Err(e) = bond.set_primary(rtnl, Some(slave.clone())) {
                close();
                return Err(e);
            }
            bond.force_primary.store(true, core::sync::atomic::Ordering::Relaxed);
        }
    }

    // The mode's step (bond_enslave()'s switch on the mode). It sees the slaves as the list
    // will hold them: the published ones, then the new one, last.
    let ops = mode.ops();
    let mut with_new = KVec::new();
    let bound = slave_list(dev)
        .and_then(|mut v| v.push(slave.clone(), GFP_KERNEL).map(|()| v).map_err(Into::into))
        .and_then(|v| {
            with_new = v;
            ops.enslave(dev, rtnl, &with_new, &slave)
        });
    if let Err(e) = bound {
        slave_dev.vlan_vids_del_by_dev(rtnl, dev);
        close();
        return Err(e);
    }

    let detach = || {
        ops.unbind(dev, &with_new, &slave);
        slave_dev.vlan_vids_del_by_dev(rtnl, dev);
        let is = |s: Option<Arc<Slave>>| s.map_or(false, |s| Arc::ptr_eq(&s, &slave));
        if is(bond.primary_arc()) {
            let _ = bond.set_primary(rtnl, None);
        }
        if is(bond.curr_active_arc()) {
            active::change_active_slave(dev, rtnl, None);
            active::select_active_slave(dev, rtnl);
        }
        close();
    };

    if !dev.features().contains(Features::LRO) {
        slave_dev.disable_lro(rtnl);
    }

    let rx = match rx_handler::Registration::new(rtnl, slave_dev, slave.clone()) {
        Ok(rx) => rx,
        Err(e) => {
            detach();
            return Err(e);
        }
    };
    if let Err(e) = slave_dev.link_master(rtnl, dev, Some(lag_info(mode)), extack.as_deref_mut()) {
        rx.unregister(rtnl);
        detach();
        return Err(e);
    }
    slave_dev.set_lower_mark(rtnl, LowerMark::Slave, true);
    slave.lower_state_changed(rtnl);

    let files = match crate::sysfs::slave_files(slave_dev, rtnl, slave.clone()) {
        Ok(f) => f,
        Err(e) => {
            unlink(rtnl, dev, slave_dev);
            rx.unregister(rtnl);
            detach();
            return Err(e);
        }
    };

    if !bond.uses_primary() {
        let f = dev.flags();
        let undo_upper = |rx: rx_handler::Registration<Slave>| {
            unlink(rtnl, dev, slave_dev);
            rx.unregister(rtnl);
            detach();
        };
        if f & flags::PROMISC != 0 {
            if let Err(e) = slave_dev.set_promiscuity(rtnl, 1) {
                files.remove(rtnl);
                undo_upper(rx);
                return Err(e);
            }
        }
        if f & flags::ALLMULTI != 0 {
            if let Err(e) = slave_dev.set_allmulti(rtnl, 1) {
                if f & flags::PROMISC != 0 {
                    let _ = slave_dev.set_promiscuity(rtnl, -1);
                }
                files.remove(rtnl);
                undo_upper(rx);
                return Err(e);
            }
        }
        if f & flags::UP != 0 {
            let _ = slave_dev.sync_addr_lists_from(&dev.lock_addr_lists(), true);
            ops.listen(rtnl, &slave);
        }
    }

    {
        let mut entries = bond.entries.lock();
        // Reserve first: a failed push would drop the registration, which takes RTNL.
        if let Err(e) = entries.reserve(1, GFP_KERNEL) {
            drop(entries);
            files.remove(rtnl);
            unlink(rtnl, dev, slave_dev);
            rx.unregister(rtnl);
            detach();
            return Err(e.into());
        }
        let entry = SlaveEntry {
            slave: slave.clone(),
            rx: Some(rx),
            files: Some(files),
        };
        // Cannot fail: the room was reserved above.
        let _ = entries.push(entry, GFP_KERNEL);
        if let Err(e) = bond.publish_slaves(rtnl, &entries) {
            if let Some(entry) = entries.pop() {
                drop(entries);
                drop_entry(rtnl, entry);
            }
            unlink(rtnl, dev, slave_dev);
            detach();
            return Err(e);
        }
    }
    if bond.params.mode().uses_slave_arrays() {
        let _ = bond.update_slave_arr(rtnl, None);
    }
    dev.compute_master_upper_features(rtnl, true);
    set_carrier(dev);
    // Before the selection, which takes the groups off again if this slave becomes active.
    crate::monitor::ns::slave_maddrs(bond, rtnl, &slave, true);

    if bond.uses_primary() {
        active::select_active_slave(dev, rtnl);
    }

    log_slave!(
        dev,
        slave_dev,
        Info,
        "Enslaving as {} interface with {} link\n",
        if slave.is_active() { "an active" } else { "a backup" },
        if slave.link() != link::DOWN { "an up" } else { "a down" }
    );
    Ok(())
}

/// The slave's first link state, as bond_enslave() decides it.
fn init_link_state(dev: &BondDev, rtnl: &Rtnl, slave: &Slave) {
    let p = &dev.data().params;
    slave.update_speed_duplex(rtnl);
    slave.delay.store(0, core::sync::atomic::Ordering::Relaxed);
    let check = LinkCheck::of(dev.data(), rtnl);
    if p.miimon.get() != 0 && p.use_carrier.get() == 0 && check.report(&slave.dev).is_none() {
        if p.arp_interval.get() == 0 {
            log_slave!(dev, slave.dev, Warn, "MII and ETHTOOL support not available for slave, and arp_interval/arp_ip_target module parameters not specified, thus bonding will not detect link failures! see bonding.txt for details\n");
        } else {
            log_slave!(dev, slave.dev, Warn, "can't get link status from slave; the network driver associated with this interface does not support MII or ETHTOOL link status reporting, thus miimon has no effect on this interface\n");
        }
    }
    let state = if p.miimon.get() != 0 {
        if check.link_ok(&slave.dev) {
            if p.updelay.get() != 0 {
                slave.delay.store(p.updelay.get() as i32, core::sync::atomic::Ordering::Relaxed);
                link::BACK
            } else {
                link::UP
            }
        } else {
            link::DOWN
        }
    } else if p.arp_interval.get() != 0 {
        if slave.dev.carrier_ok() { link::UP } else { link::DOWN }
    } else {
        link::UP
    };
    slave.set_link_quiet(state);
    if state != link::DOWN {
        slave.stamp_link_up();
    }
}

/// A random locally administered unicast Ethernet address (eth_random_addr()).
fn random_ether_addr() -> HwAddr {
    let (a, b) = (random::u32().to_ne_bytes(), random::u32().to_ne_bytes());
    let mut mac = [a[0], a[1], a[2], a[3], b[0], b[1]];
    mac[0] &= 0xfe;
    mac[0] |= 0x02;
    HwAddr::ether(mac)
}

/// Detaches what an entry attached to its device (with RTNL held).
fn drop_entry(rtnl: &Rtnl, entry: SlaveEntry) {
    let SlaveEntry { slave: _, rx, files } = entry;
    if let Some(files) = files {
        files.remove(rtnl);
    }
    if let Some(rx) = rx {
        rx.unregister(rtnl);
    }
}

/// __bond_release_one(): `all` when the whole bond goes (the active slave is not
/// reselected), `unregister` when the slave device itself is going away.
pub(crate) fn release(
    dev: &BondDev,
    rtnl: &Rtnl,
    slave_dev: &Device,
    all: bool,
    unregister: bool,
) -> Result {
    let bond = dev.data();
    let old_flags = dev.flags();
    let old_features = dev.features();
    let is_ours = slave_dev.flags() & flags::SLAVE != 0
        && slave_dev.master(rtnl).map_or(false, |m| m.is(dev));
    if !is_ours {
        return Err(EINVAL);
    }
    let entry = {
        let mut entries = bond.entries.lock();
        match entries.iter().position(|e| e.slave.dev.is(slave_dev)) {
            // Never allocates, so a release cannot fail halfway.
            Some(i) => entries.remove(i),
            None => None,
        }
    };
    let Some(entry) = entry else {
        log_slave!(dev, slave_dev, Info, "interface not enslaved\n");
        return Err(EINVAL);
    };
    let slave = entry.slave.clone();
    let mode = bond.params.mode();
    let all_active = bond.params.all_slaves_active.get() != 0;
    slave.set_inactive_flags(rtnl, all_active);

    // Count what the slave sent and received so far into the bond's statistics.
    bond.absorb_slave_stats(dev);
    drop_entry(rtnl, entry);
    {
        // The published list still holds the slave, as the mode expects.
        let guard = rcu::read_lock();
        mode.ops().unbind(dev, bond.slaves(&guard), &slave);
    }
    unlink(rtnl, dev, slave_dev);
    if mode.uses_slave_arrays() {
        // Cannot fail with a slave to skip.
        let _ = bond.update_slave_arr(rtnl, Some(&slave));
    }
    {
        let entries = bond.entries.lock();
        bond.publish_slaves_without(rtnl, &entries, &slave);
    }

    log_slave!(
        dev,
        slave_dev,
        Info,
        "Releasing {} interface\n",
        if slave.is_active() { "active" } else { "backup" }
    );

    let old_current = bond.curr_active_arc();
    let _ = bond.set_current_arp_slave(None);
    let was_current = old_current.as_ref().map_or(false, |c| Arc::ptr_eq(c, &slave));
    let fom = bond.params.fail_over_mac.get();
    if !all && (fom != FOM_ACTIVE || mode != Mode::ActiveBackup) && dev.addr() == slave.perm_hwaddr
        && bond.has_slaves()
    {
        log_slave!(
            dev,
            slave_dev,
            Warn,
            "the permanent HWaddr of slave - {} - is still in use by bond - set the HWaddr of slave to a different address to avoid conflicts\n",
            slave.perm_hwaddr
        );
    }
    if bond.primary_arc().map_or(false, |p| Arc::ptr_eq(&p, &slave)) {
        let _ = bond.set_primary(rtnl, None);
    }
    if was_current {
        active::change_active_slave(dev, rtnl, None);
    }
    // After the change: a slave that was active is a backup now, with groups to take off.
    crate::monitor::ns::slave_maddrs(bond, rtnl, &slave, false);
    if let Ok(slaves) = slave_list(dev) {
        mode.ops().released(dev, rtnl, &slaves, &slave);
    }
    if !all && was_current {
        active::select_active_slave(dev, rtnl);
    }
    set_carrier(dev);
    if !bond.has_slaves() {
        dev.random_hw_addr(rtnl);
        dev.notify(rtnl, DriverEvent::ChangeAddr);
        dev.notify(rtnl, DriverEvent::Release);
    }
    dev.compute_master_upper_features(rtnl, true);
    if old_features.contains(Features::VLAN_CHALLENGED) && !dev.features().contains(Features::VLAN_CHALLENGED) {
        log_slave!(dev, slave_dev, Info, "last VLAN challenged slave left bond - VLAN blocking is removed\n");
    }
    slave_dev.vlan_vids_del_by_dev(rtnl, dev);

    if !bond.uses_primary() {
        if old_flags & flags::PROMISC != 0 {
            let _ = slave_dev.set_promiscuity(rtnl, -1);
        }
        if old_flags & flags::ALLMULTI != 0 {
            let _ = slave_dev.set_allmulti(rtnl, -1);
        }
        if old_flags & flags::UP != 0 {
            slave_dev.unsync_addr_lists_from(dev);
            mode.ops().forget(rtnl, &slave);
        }
    }

    slave_dev.close(rtnl);
    slave_dev.set_lower_mark(rtnl, LowerMark::NoAddrconf, false);
    if fom != FOM_ACTIVE || mode != Mode::ActiveBackup {
        let _ = slave_dev.set_mac_address(rtnl, &slave.perm_hwaddr, None);
    }
    if !unregister {
        let _ = slave_dev.set_mtu(rtnl, slave.original_mtu);
    }
    if slave_dev.priv_flags() & priv_flags::BONDING != 0 && slave_dev.flags() & flags::MASTER == 0 {
        slave_dev.set_lower_mark(rtnl, LowerMark::Bonding, false);
    }
    // No old list or active slave holds the slave past this point.
    bond.free_retired();
    Ok(())
}

/// bond_upper_dev_unlink().
fn unlink(rtnl: &Rtnl, dev: &BondDev, slave_dev: &Device) {
    slave_dev.unlink_master(rtnl, dev);
    slave_dev.set_lower_mark(rtnl, LowerMark::Slave, false);
}

/// `true` if `dev` is a slave of some bond (`netif_is_bond_slave`).
pub(crate) fn is_bond_slave(dev: &Device) -> bool {
    dev.flags() & flags::SLAVE != 0 && dev.priv_flags() & priv_flags::BONDING != 0
}
