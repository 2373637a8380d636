// SPDX-License-Identifier: GPL-2.0

//! The MII link monitor: bond_main.c's `bond_mii_monitor()`, `bond_miimon_inspect()` and
//! `bond_miimon_commit()`.
//!
//! Every `miimon` ms the inspection walks the slaves under RCU and proposes link state
//! changes (UP -> FAIL -> DOWN after `downdelay`, DOWN -> BACK -> UP after `updelay`);
//! when something is proposed, the commit takes RTNL, applies it and fails over. If RTNL is
//! busy the monitor tries again on the next jiffy rather than wait.
//!
//! With `use_carrier 0` the link is asked of the slave's driver (ethtool `get_link`, MII
//! ioctls), which may sleep and expects RTNL; bonding.ko asks under RCU all the same. rbond
//! instead inspects a counted snapshot of the slaves under RTNL, outside any RCU section.

use crate::active;
use crate::bond::{set_carrier, Bond, BondDev, MII_WORK};
use crate::enslave::slave_list;
use crate::options::Mode;
use crate::slave::{link, Slave};
use core::sync::atomic::Ordering;
use kernel::{
    net::{notifier::DriverEvent, Device, Rtnl},
    sync::{rcu, Arc},
    time::msecs_to_jiffies,
    types::ARef,
};

/// How a slave's link is judged: bond_check_dev_link(), with `use_carrier` read once.
#[derive(Clone, Copy)]
pub(crate) enum LinkCheck<'a> {
    /// `use_carrier 1`: the carrier says so; any context.
    Carrier,
    /// `use_carrier 0`: the driver's ethtool `get_link`, else its MII registers; under RTNL.
    Driver(&'a Rtnl),
}

impl<'a> LinkCheck<'a> {
    /// The check `bond`'s options ask for, for a caller that holds RTNL.
    pub(crate) fn of(bond: &Bond, rtnl: &'a Rtnl) -> Self {
        if bond.params.use_carrier.get() != 0 {
            LinkCheck::Carrier
        } else {
            LinkCheck::Driver(rtnl)
        }
    }

    /// bond_check_dev_link() reporting: the link state, or `None` if the slave cannot tell.
    pub(crate) fn report(self, dev: &Device) -> Option<bool> {
        match self {
            LinkCheck::Carrier => Some(dev.carrier_ok()),
            LinkCheck::Driver(rtnl) => dev.ethtool_link(rtnl).or_else(|| dev.mii_link(rtnl)),
        }
    }

    /// bond_check_dev_link() as the monitor asks it: `true` if the link is up. A device that
    /// can answer neither way is taken to be up, as bonding.ko does.
    pub(crate) fn link_ok(self, dev: &Device) -> bool {
        dev.is_running() && self.report(dev).unwrap_or(true)
    }
}

/// The work function.
pub(crate) fn mii_monitor(dev: ARef<BondDev>) {
    let bond = dev.data();
    let mut delay = msecs_to_jiffies(bond.params.miimon.get()) as usize;
    // A slave event's look (`look_now`) is under way: this tick comes again right after.
    let Some(_looking) = Looking::take(bond) else {
        Bond::queue_work::<MII_WORK>(&dev, 1);
        return;
    };

    if bond.has_slaves() && bond.params.use_carrier.get() == 0 {
        // The drivers are asked: inspect and commit in one RTNL section, outside RCU.
        match Rtnl::try_lock() {
            None => delay = 1,
            Some(rtnl) => {
                let should_notify = {
                    let _guard = rcu::read_lock();
                    active::should_notify_peers(&dev)
                };
                if let Ok(slaves) = slave_list(&dev) {
                    if inspect(&dev, &slaves, LinkCheck::Driver(&rtnl)) {
                        apply(&dev, &rtnl, &slaves);
                    }
                }
                notify_peers(&dev, &rtnl, should_notify);
            }
        }
    } else if bond.has_slaves() {
        let (should_notify, commit) = {
            let guard = rcu::read_lock();
            let notify = active::should_notify_peers(&dev);
            (notify, inspect(&dev, bond.slaves(&guard), LinkCheck::Carrier))
        };
        if commit || bond.send_peer_notif.load(Ordering::Relaxed) != 0 {
            match Rtnl::try_lock() {
                None => delay = 1,
                Some(rtnl) => {
                    if commit {
                        if let Ok(slaves) = slave_list(&dev) {
                            apply(&dev, &rtnl, &slaves);
                        }
                    }
                    notify_peers(&dev, &rtnl, should_notify);
                }
            }
        }
    }

    if bond.params.miimon.get() != 0 {
        Bond::queue_work::<MII_WORK>(&dev, delay);
    }
}

/// One look of the MII monitor at a time: an inspect counts `updelay` and `downdelay` down,
/// so a tick and an event's look must not both inspect the same change. Neither waits for the
/// other (the tick may hold it while it tries RTNL, which the event's look holds): the one
/// that finds it taken reschedules the tick.
struct Looking<'a>(&'a Bond);

impl<'a> Looking<'a> {
    fn take(bond: &'a Bond) -> Option<Self> {
        (!bond.mii_looking.swap(true, Ordering::Acquire)).then_some(Looking(bond))
    }
}

impl Drop for Looking<'_> {
    fn drop(&mut self) {
        self.0.mii_looking.store(false, Ordering::Release);
    }
}

/// The MII monitor's step for a slave's up, down or change event, which the notifier hands
/// over under RTNL (rbond's addition: bonding.ko waits for its next tick, up to `miimon` ms
/// away). It inspects and commits now, with the carrier the event just changed; its ticks
/// then follow from this look, so `updelay` and `downdelay` count from the event. Peer
/// notifications stay on the ticks.
pub(crate) fn look_now(dev: &BondDev, rtnl: &Rtnl) {
    // A tick is looking (or this is an event its own commit caused): it goes round again at
    // once instead.
    let Some(_looking) = Looking::take(dev.data()) else {
        Bond::requeue_work::<MII_WORK>(dev, 0);
        return;
    };
    if let Ok(slaves) = slave_list(dev) {
        if inspect(dev, &slaves, LinkCheck::Carrier) {
            apply(dev, rtnl, &slaves);
        }
    }
    let period = msecs_to_jiffies(dev.data().params.miimon.get()) as usize;
    Bond::requeue_work::<MII_WORK>(dev, period);
}

/// One round of peer notification, if any are still to send (under RTNL).
fn notify_peers(dev: &BondDev, rtnl: &Rtnl, should_notify: bool) {
    let bond = dev.data();
    if bond.send_peer_notif.load(Ordering::Relaxed) != 0 {
        bond.send_peer_notif.fetch_sub(1, Ordering::Relaxed);
        if should_notify {
            dev.notify(rtnl, DriverEvent::NotifyPeers);
        }
    }
}

/// bond_miimon_inspect(): proposes changes; returns `true` if any.
fn inspect(dev: &BondDev, slaves: &[Arc<Slave>], check: LinkCheck<'_>) -> bool {
    let bond = dev.data();
    let p = &bond.params;
    let miimon = p.miimon.get() as i32;
    // With nothing to send through, a slave coming back skips its updelay: in active-backup
    // when there is no active slave, in the hashing modes when none is usable.
    let ab = p.mode() == Mode::ActiveBackup;
    let mut ignore_updelay = if ab {
        bond.curr_active_arc().is_none()
    } else {
        bond.no_usable_slaves(&rcu::read_lock())
    };
    let mut commit = false;

    for s in slaves {
        s.propose_link_state(link::NOCHANGE);
        let up = check.link_ok(&s.dev);
        let mut state = s.link();
        if state == link::UP {
            if up {
                continue;
            }
            s.propose_link_state(link::FAIL);
            commit = true;
            s.delay.store(p.downdelay.get() as i32, Ordering::Relaxed);
            if s.delay.load(Ordering::Relaxed) != 0 {
                log_slave!(
                    dev,
                    s.dev,
                    Info,
                    "link status down for {}interface, disabling it in {} ms\n",
                    if ab { if s.is_active() { "active " } else { "backup " } } else { "" },
                    p.downdelay.get() as i32 * miimon
                );
            }
            state = link::FAIL;
        }
        if state == link::FAIL {
            if up {
                s.propose_link_state(link::UP);
                s.stamp_link_up();
                log_slave!(
                    dev,
                    s.dev,
                    Info,
                    "link status up again after {} ms\n",
                    (p.downdelay.get() as i32 - s.delay.load(Ordering::Relaxed)) * miimon
                );
                commit = true;
                continue;
            }
            if s.delay.load(Ordering::Relaxed) <= 0 {
                s.propose_link_state(link::DOWN);
                commit = true;
                continue;
            }
            s.delay.fetch_sub(1, Ordering::Relaxed);
            continue;
        }
        if state == link::DOWN {
            if !up {
                continue;
            }
            s.propose_link_state(link::BACK);
            commit = true;
            s.delay.store(p.updelay.get() as i32, Ordering::Relaxed);
            if s.delay.load(Ordering::Relaxed) != 0 {
                log_slave!(
                    dev,
                    s.dev,
                    Info,
                    "link status up, enabling it in {} ms\n",
                    if ignore_updelay { 0 } else { p.updelay.get() as i32 * miimon }
                );
            }
            state = link::BACK;
        }
        if state == link::BACK {
            if !up {
                s.propose_link_state(link::DOWN);
                log_slave!(
                    dev,
                    s.dev,
                    Info,
                    "link status down again after {} ms\n",
                    (p.updelay.get() as i32 - s.delay.load(Ordering::Relaxed)) * miimon
                );
                commit = true;
                continue;
            }
            if ignore_updelay {
                s.delay.store(0, Ordering::Relaxed);
            }
            if s.delay.load(Ordering::Relaxed) <= 0 {
                s.propose_link_state(link::UP);
                commit = true;
                ignore_updelay = false;
                continue;
            }
            s.delay.fetch_sub(1, Ordering::Relaxed);
        }
    }
    commit
}

/// bond_miimon_commit(): applies the proposals, then fails over if needed.
fn apply(dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>]) {
    let bond = dev.data();
    let mode = bond.params.mode();
    let ops = mode.ops();
    let all_active = bond.params.all_slaves_active.get() != 0;
    let mut do_failover = false;

    for s in slaves {
        match s.new_link_state() {
            link::UP => {
                if s.update_speed_duplex(rtnl) && mode.needs_speed_duplex() {
                    s.set_link_quiet(link::DOWN);
                    if kernel::net::device::ratelimit() {
                        log_slave!(dev, s.dev, Warn, "failed to get link speed/duplex\n");
                    }
                    continue;
                }
                s.set_link(rtnl, link::UP);
                s.stamp_link_up();
                let primary = bond.primary_arc();
                if mode == Mode::Ieee8023ad {
                    // Not active until the state machines say so.
                    s.set_backup(rtnl);
                } else if mode != Mode::ActiveBackup {
                    // Active at once; receive stays as it was (tlb and alb: only the active
                    // slave's frames go to the bond).
                    s.set_active(rtnl);
                }
                let speed = s.speed();
                log_slave!(
                    dev,
                    s.dev,
                    Info,
                    "link status definitely up, {} Mbps {} duplex\n",
                    if speed == kernel::net::ethtool::SPEED_UNKNOWN { 0 } else { speed },
                    if s.duplex() == kernel::net::ethtool::DUPLEX_FULL { "full" } else { "half" }
                );
                // bond_miimon_link_change().
                ops.link_changed(dev, rtnl, slaves, s, true);
                let active = bond.curr_active_arc();
                let is_primary = primary.as_ref().map_or(false, |p| Arc::ptr_eq(p, s));
                if active.as_ref().map_or(true, |a| {
                    is_primary || s.prio.load(Ordering::Relaxed) > a.prio.load(Ordering::Relaxed)
                }) {
                    do_failover = true;
                }
            }
            link::DOWN => {
                let _ = s.link_failure_count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| c.checked_add(1));
                s.set_link(rtnl, link::DOWN);
                if mode == Mode::ActiveBackup || mode == Mode::Ieee8023ad {
                    s.set_inactive_flags(rtnl, all_active);
                }
                log_slave!(dev, s.dev, Info, "link status definitely down, disabling slave\n");
                ops.link_changed(dev, rtnl, slaves, s, false);
                if bond.curr_active_arc().map_or(false, |a| Arc::ptr_eq(&a, s)) {
                    do_failover = true;
                }
            }
            link::FAIL | link::BACK => {
                // The state machine moves through these; they are recorded as they are.
                s.set_link(rtnl, s.new_link_state());
            }
            link::NOCHANGE => {
                // 802.3ad: speed and duplex again, in case the port was disabled by a bad
                // report that recovered before the monitor decided.
                if s.link() == link::UP {
                    ops.speed_duplex_changed(dev, slaves, s);
                }
            }
            other => {
                log_slave!(dev, s.dev, Err, "invalid link_new_state {} on slave\n", other);
                s.propose_link_state(link::NOCHANGE);
            }
        }
    }

    if do_failover {
        active::select_active_slave(dev, rtnl);
    }
    set_carrier(dev);
}
