// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/bonding/<bond>`: bond_procfs.c's `bond_info_show_master()` and
//! `bond_info_show_slave()`, line for line.

use crate::bond::BondDev;
use crate::opt_set::Ipv4;
use crate::options::{self, Mode};
use crate::ad;
use crate::slave::{link, Slave};
use core::fmt::Write;
use kernel::{
    net::{device::HwAddr, ethtool, procfs},
    prelude::*,
    sync::rcu,
    types::ARef,
};

/// The first line (bonding.ko prints its DRV_DESCRIPTION and version here).
const VERSION_LINE: &str = "Ethernet Channel Bonding Driver: v6.12 (rbond, in Rust)";

/// What `/proc/net/bonding/<bond>` shows.
pub(crate) struct BondInfo(pub(crate) ARef<BondDev>);

impl procfs::Show for BondInfo {
    fn show(&self, m: &mut procfs::SeqFile) -> Result {
        let admin = kernel::net::current_is_net_admin();
        let _ = write_info(&self.0, m, admin);
        Ok(())
    }
}

/// The file; `admin`: the reader has `CAP_NET_ADMIN`, and sees the LACP details too.
fn write_info(dev: &BondDev, m: &mut impl Write, admin: bool) -> core::fmt::Result {
    let bond = dev.data();
    let p = &bond.params;
    let mode = p.mode();
    // Copied out before the RCU read-side section: `strings` is a Mutex, which sleeps.
    let arp_targets = (p.arp_interval.get() > 0).then(|| bond.strings.lock().arp_targets);
    let guard = rcu::read_lock();

    writeln!(m, "{}", VERSION_LINE)?;
    write!(m, "\nBonding Mode: {}", mode.description())?;
    let fom = p.fail_over_mac.get();
    if mode == Mode::ActiveBackup && fom != 0 {
        let name = options::name_of(options::FAIL_OVER_MAC_VALUES, u64::from(fom)).unwrap_or("");
        write!(m, " (fail_over_mac {})", name)?;
    }
    writeln!(m)?;

    if mode.uses_xmit_hash(p.tlb_dynamic_lb.get()) {
        let policy = p.xmit_policy.get();
        let name = options::name_of(options::XMIT_HASH_VALUES, u64::from(policy)).unwrap_or("");
        writeln!(m, "Transmit Hash Policy: {} ({})", name, policy)?;
    }

    if mode.uses_primary() {
        // Borrowed under the guard: no reference is taken, so none can be the last one dropped
        // inside the read-side section.
        match bond.primary(&guard) {
            Some(prim) => {
                let reselect = options::name_of(
                    options::PRIMARY_RESELECT_VALUES,
                    u64::from(p.primary_reselect.get()),
                )
                .unwrap_or("");
                write!(m, "Primary Slave: {} (primary_reselect {})", prim.dev.name(), reselect)?;
            }
            None => write!(m, "Primary Slave: None")?,
        }
        match bond.curr_active(&guard) {
            Some(c) => writeln!(m, "\nCurrently Active Slave: {}", c.dev.name())?,
            None => writeln!(m, "\nCurrently Active Slave: None")?,
        }
    }

    let miimon = p.miimon.get() as i32;
    writeln!(m, "MII Status: {}", if dev.carrier_ok() { "up" } else { "down" })?;
    writeln!(m, "MII Polling Interval (ms): {}", miimon)?;
    writeln!(m, "Up Delay (ms): {}", p.updelay.get() as i32 * miimon)?;
    writeln!(m, "Down Delay (ms): {}", p.downdelay.get() as i32 * miimon)?;
    writeln!(m, "Peer Notification Delay (ms): {}", p.peer_notif_delay.get() as i32 * miimon)?;

    if let Some(targets) = arp_targets {
        writeln!(m, "ARP Polling Interval (ms): {}", p.arp_interval.get() as i32)?;
        writeln!(m, "ARP Missed Max: {}", p.missed_max.get())?;
        write!(m, "ARP IP target/s (n.n.n.n form):")?;
        for (i, t) in targets.iter().take_while(|t| **t != [0; 4]).enumerate() {
            if i > 0 {
                write!(m, ",")?;
            }
            write!(m, " {}", Ipv4(*t))?;
        }
        writeln!(m)?;
        write!(m, "NS IPv6 target/s (xx::xx form):")?;
        for (i, (_, t)) in bond.ns_targets.iter().enumerate() {
            if i > 0 {
                write!(m, ",")?;
            }
            write!(m, " {}", crate::monitor::ns::Ipv6(t))?;
        }
        writeln!(m)?;
    }

    if mode == Mode::Ieee8023ad {
        write_3ad_info(dev, m, admin)?;
    }

    for s in bond.slaves(&guard) {
        writeln!(m, "\nSlave Interface: {}", s.dev.name())?;
        writeln!(m, "MII Status: {}", link::name(s.link()))?;
        if s.speed() == ethtool::SPEED_UNKNOWN {
            writeln!(m, "Speed: Unknown")?;
        } else {
            writeln!(m, "Speed: {} Mbps", s.speed() as i32)?;
        }
        match s.duplex() {
            ethtool::DUPLEX_UNKNOWN => writeln!(m, "Duplex: Unknown")?,
            0 => writeln!(m, "Duplex: half")?,
            _ => writeln!(m, "Duplex: full")?,
        }
        writeln!(m, "Link Failure Count: {}", s.link_failure_count.load(core::sync::atomic::Ordering::Relaxed))?;
        writeln!(m, "Permanent HW addr: {}", s.perm_hwaddr)?;
        writeln!(m, "Slave queue ID: {}", s.queue_id.load(core::sync::atomic::Ordering::Relaxed))?;
        if mode == Mode::Ieee8023ad {
            write_3ad_slave(dev, s, m, admin)?;
        }
    }
    Ok(())
}

/// The bond's "802.3ad info" section.
fn write_3ad_info(dev: &BondDev, m: &mut impl Write, admin: bool) -> core::fmt::Result {
    let p = &dev.data().params;
    writeln!(m, "\n802.3ad info")?;
    writeln!(m, "LACP active: {}", if p.lacp_active.get() != 0 { "on" } else { "off" })?;
    writeln!(m, "LACP rate: {}", if p.lacp_fast.get() != 0 { "fast" } else { "slow" })?;
    writeln!(m, "Min links: {}", p.min_links.get() as i32)?;
    let select = options::name_of(options::AD_SELECT_VALUES, u64::from(p.ad_select.get())).unwrap_or("");
    writeln!(m, "Aggregator selection policy (ad_select): {}", select)?;
    if !admin {
        return Ok(());
    }
    let (prio, system) = ad::system_in_use(dev);
    writeln!(m, "System priority: {}", prio)?;
    writeln!(m, "System MAC address: {}", HwAddr::ether(system))?;
    match ad::active_agg_info(dev) {
        None => writeln!(m, "bond {} has no active aggregator", dev.name()),
        Some(info) => {
            writeln!(m, "Active Aggregator Info:")?;
            writeln!(m, "\tAggregator ID: {}", info.aggregator_id)?;
            writeln!(m, "\tNumber of ports: {}", info.ports)?;
            writeln!(m, "\tActor Key: {}", info.actor_key)?;
            writeln!(m, "\tPartner Key: {}", info.partner_key)?;
            writeln!(m, "\tPartner Mac Address: {}", HwAddr::ether(info.partner_system))
        }
    }
}

/// A slave's aggregator and, for administrators, its LACPDU details.
fn write_3ad_slave(dev: &BondDev, s: &Slave, m: &mut impl Write, admin: bool) -> core::fmt::Result {
    let Some((port, Some(aggregator))) = ad::port_view(dev, s) else {
        return writeln!(m, "Aggregator ID: N/A");
    };
    writeln!(m, "Aggregator ID: {}", aggregator)?;
    writeln!(m, "Actor Churn State: {}", port.sm_churn_actor_state.name())?;
    writeln!(m, "Partner Churn State: {}", port.sm_churn_partner_state.name())?;
    writeln!(m, "Actor Churned Count: {}", port.churn_actor_count as i32)?;
    writeln!(m, "Partner Churned Count: {}", port.churn_partner_count as i32)?;
    if !admin {
        return Ok(());
    }
    writeln!(m, "details actor lacp pdu:")?;
    writeln!(m, "    system priority: {}", port.actor_system_priority)?;
    writeln!(m, "    system mac address: {}", HwAddr::ether(port.actor_system))?;
    writeln!(m, "    port key: {}", port.actor_oper_port_key)?;
    writeln!(m, "    port priority: {}", port.actor_port_priority)?;
    writeln!(m, "    port number: {}", port.actor_port_number)?;
    writeln!(m, "    port state: {}", port.actor_oper_port_state)?;
    let partner = &port.partner_oper;
    writeln!(m, "details partner lacp pdu:")?;
    writeln!(m, "    system priority: {}", partner.system_priority)?;
    writeln!(m, "    system mac address: {}", HwAddr::ether(partner.system))?;
    writeln!(m, "    oper key: {}", partner.key)?;
    writeln!(m, "    port priority: {}", partner.port_priority)?;
    writeln!(m, "    port number: {}", partner.port)?;
    writeln!(m, "    port state: {}", partner.state)
}
