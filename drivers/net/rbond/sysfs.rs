// SPDX-License-Identifier: GPL-2.0

//! sysfs: `/sys/class/net/bonding_masters` (per namespace), `/sys/class/net/<bond>/bonding/`
//! and `/sys/class/net/<slave>/bonding_slave/`. Mirrors bond_sysfs.c and
//! bond_sysfs_slave.c: the same files, modes, formats and errnos. Every write goes through
//! the option engine (opt_set.rs).

use crate::ad;
use crate::bond::BondDev;
use crate::lacp::{engine::AggInfo, port::Port};
use crate::globals;
use crate::net::BondList;
use crate::opt_set::{self, valid_name, Ipv4};
use crate::options::{self, Mode, Opt, OptValue};
use crate::slave::{link, Slave};
use core::fmt::Write;
use core::sync::atomic::Ordering;
use kernel::{
    c_str,
    net::{
        device::{Device, HwAddr},
        sysfs::{AttrDef, AttributeGroup, ClassAttributeOps, Page},
        Net, Rtnl, RtnlGuard,
    },
    prelude::*,
    str::CString,
    sync::{rcu, Arc},
    types::ARef,
};

type B = ARef<BondDev>;

/// "<name> <number>\n", as the show functions of table options print.
fn show_named(page: &mut Page<'_>, values: &[OptValue], v: u32) -> Result {
    let name = options::name_of(values, u64::from(v)).unwrap_or("");
    let _ = writeln!(page, "{} {}", name, v);
    Ok(())
}

fn show_num(page: &mut Page<'_>, v: i64) -> Result {
    let _ = writeln!(page, "{}", v);
    Ok(())
}

/// Writes a space-separated list whose last space becomes a newline, as bonding prints
/// its lists; "++more++" when the page cannot take another entry.
struct List<'p, 'b> {
    page: &'p mut Page<'b>,
    any: bool,
    full: bool,
}

impl<'p, 'b> List<'p, 'b> {
    fn new(page: &'p mut Page<'b>) -> Self {
        Self { page, any: false, full: false }
    }

    fn item(&mut self, args: core::fmt::Arguments<'_>) {
        if self.full {
            return;
        }
        if self.page.remaining() < 16 + 6 {
            self.page.write_bytes(b"++more++ ");
            self.full = true;
        } else {
            let _ = self.page.write_fmt(args);
            self.page.write_bytes(b" ");
        }
        self.any = true;
    }

    fn finish(self) -> Result {
        if self.any {
            self.page.replace_last(b'\n');
        }
        Ok(())
    }
}

macro_rules! store {
    ($($fn_name:ident => $opt:expr),* $(,)?) => {$(
        fn $fn_name(d: &B, input: &[u8]) -> Result {
            opt_set::set_from_sysfs(d, $opt, input)
        }
    )*};
}

store! {
    store_slaves => Opt::Slaves,
    store_mode => Opt::Mode,
    store_fail_over_mac => Opt::FailOverMac,
    store_arp_validate => Opt::ArpValidate,
    store_arp_all_targets => Opt::ArpAllTargets,
    store_arp_interval => Opt::ArpInterval,
    store_arp_ip_target => Opt::ArpTargets,
    store_downdelay => Opt::Downdelay,
    store_updelay => Opt::Updelay,
    store_peer_notif_delay => Opt::PeerNotifDelay,
    store_lacp_active => Opt::LacpActive,
    store_lacp_rate => Opt::LacpRate,
    store_ad_select => Opt::AdSelect,
    store_xmit_hash_policy => Opt::XmitHash,
    store_num_grat_arp => Opt::NumPeerNotifAlias,
    store_num_unsol_na => Opt::NumPeerNotif,
    store_miimon => Opt::Miimon,
    store_primary => Opt::Primary,
    store_primary_reselect => Opt::PrimaryReselect,
    store_use_carrier => Opt::UseCarrier,
    store_active_slave => Opt::ActiveSlave,
    store_queue_id => Opt::QueueId,
    store_all_slaves_active => Opt::AllSlavesActive,
    store_resend_igmp => Opt::ResendIgmp,
    store_min_links => Opt::MinLinks,
    store_lp_interval => Opt::LpInterval,
    store_packets_per_slave => Opt::PacketsPerSlave,
    store_tlb_dynamic_lb => Opt::TlbDynamicLb,
    store_ad_actor_sys_prio => Opt::AdActorSysPrio,
    store_ad_actor_system => Opt::AdActorSystem,
    store_ad_user_port_key => Opt::AdUserPortKey,
    store_arp_missed_max => Opt::MissedMax,
}

fn show_slaves(d: &B, page: &mut Page<'_>) -> Result {
    let guard = rcu::read_lock();
    let mut list = List::new(page);
    for s in d.data().slaves(&guard) {
        list.item(format_args!("{}", s.dev.name()));
    }
    list.finish()
}

fn show_mode(d: &B, page: &mut Page<'_>) -> Result {
    let mode = d.data().params.mode();
    let _ = writeln!(page, "{} {}", mode.name(), mode as u8);
    Ok(())
}

fn show_fail_over_mac(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::FAIL_OVER_MAC_VALUES, d.data().params.fail_over_mac.get())
}

fn show_arp_validate(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::ARP_VALIDATE_VALUES, d.data().params.arp_validate.get())
}

fn show_arp_all_targets(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::ARP_ALL_TARGETS_VALUES, d.data().params.arp_all_targets.get())
}

fn show_arp_interval(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.arp_interval.get() as i32))
}

fn show_arp_ip_target(d: &B, page: &mut Page<'_>) -> Result {
    let targets = d.data().strings.lock().arp_targets;
    let mut list = List::new(page);
    for t in targets.iter().filter(|t| **t != [0; 4]) {
        list.item(format_args!("{}", Ipv4(*t)));
    }
    list.finish()
}

fn show_arp_missed_max(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.missed_max.get()))
}

fn delay_ms(d: &B, periods: u32) -> i64 {
    i64::from(periods as i32 * d.data().params.miimon.get() as i32)
}

fn show_downdelay(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, delay_ms(d, d.data().params.downdelay.get()))
}

fn show_updelay(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, delay_ms(d, d.data().params.updelay.get()))
}

fn show_peer_notif_delay(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, delay_ms(d, d.data().params.peer_notif_delay.get()))
}

fn show_lacp_active(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::LACP_ACTIVE_VALUES, d.data().params.lacp_active.get())
}

fn show_lacp_rate(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::LACP_RATE_VALUES, d.data().params.lacp_fast.get())
}

fn show_ad_select(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::AD_SELECT_VALUES, d.data().params.ad_select.get())
}

fn show_xmit_hash_policy(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::XMIT_HASH_VALUES, d.data().params.xmit_policy.get())
}

fn show_num_peer_notif(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.num_peer_notif.get() as i32))
}

fn show_miimon(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.miimon.get() as i32))
}

fn show_primary(d: &B, page: &mut Page<'_>) -> Result {
    if let Some(p) = d.data().primary_arc() {
        let _ = writeln!(page, "{}", p.dev.name());
    }
    Ok(())
}

fn show_primary_reselect(d: &B, page: &mut Page<'_>) -> Result {
    show_named(page, options::PRIMARY_RESELECT_VALUES, d.data().params.primary_reselect.get())
}

fn show_use_carrier(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.use_carrier.get()))
}

fn show_active_slave(d: &B, page: &mut Page<'_>) -> Result {
    let bond = d.data();
    if bond.uses_primary() {
        if let Some(c) = bond.curr_active_arc() {
            let _ = writeln!(page, "{}", c.dev.name());
        }
    }
    Ok(())
}

fn show_mii_status(d: &B, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", if d.carrier_ok() { "up" } else { "down" });
    Ok(())
}

/// `true` if `d` is in 802.3ad mode, and, with `admin_only`, the reader may see the file.
fn shows_3ad(d: &B, admin_only: bool) -> bool {
    d.data().params.mode() == Mode::Ieee8023ad && (!admin_only || kernel::net::current_is_net_admin())
}

/// An active aggregator file: `field` of the active aggregator, 0 without one; empty outside
/// 802.3ad (and, with `admin_only`, for readers without `CAP_NET_ADMIN`).
fn show_agg_field(d: &B, page: &mut Page<'_>, admin_only: bool, field: fn(&AggInfo) -> u16) -> Result {
    if shows_3ad(d, admin_only) {
        let v = ad::active_agg_info(d).map_or(0, |i| field(&i));
        let _ = writeln!(page, "{}", v);
    }
    Ok(())
}

fn show_ad_aggregator(d: &B, page: &mut Page<'_>) -> Result {
    show_agg_field(d, page, false, |i| i.aggregator_id)
}

fn show_ad_num_ports(d: &B, page: &mut Page<'_>) -> Result {
    show_agg_field(d, page, false, |i| i.ports)
}

fn show_ad_actor_key(d: &B, page: &mut Page<'_>) -> Result {
    show_agg_field(d, page, true, |i| i.actor_key)
}

fn show_ad_partner_key(d: &B, page: &mut Page<'_>) -> Result {
    show_agg_field(d, page, true, |i| i.partner_key)
}

fn show_ad_partner_mac(d: &B, page: &mut Page<'_>) -> Result {
    if shows_3ad(d, true) {
        if let Some(i) = ad::active_agg_info(d) {
            let _ = writeln!(page, "{}", HwAddr::ether(i.partner_system));
        }
    }
    Ok(())
}

fn show_ad_actor_sys_prio(d: &B, page: &mut Page<'_>) -> Result {
    if shows_3ad(d, true) {
        let _ = writeln!(page, "{}", d.data().params.ad_actor_sys_prio.get() as u16);
    }
    Ok(())
}

fn show_ad_actor_system(d: &B, page: &mut Page<'_>) -> Result {
    if shows_3ad(d, true) {
        let system = d.data().strings.lock().ad_actor_system;
        let _ = writeln!(page, "{}", HwAddr::ether(system));
    }
    Ok(())
}

fn show_ad_user_port_key(d: &B, page: &mut Page<'_>) -> Result {
    if shows_3ad(d, true) {
        let _ = writeln!(page, "{}", d.data().params.ad_user_port_key.get() as u16);
    }
    Ok(())
}

fn show_queue_id(d: &B, page: &mut Page<'_>) -> Result {
    let guard = rcu::read_lock();
    let mut list = List::new(page);
    for s in d.data().slaves(&guard) {
        list.item(format_args!("{}:{}", s.dev.name(), s.queue_id.load(Ordering::Relaxed)));
    }
    list.finish()
}

fn show_all_slaves_active(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.all_slaves_active.get()))
}

fn show_resend_igmp(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.resend_igmp.get()))
}

fn show_min_links(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.min_links.get()))
}

fn show_lp_interval(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.lp_interval.get() as i32))
}

fn show_packets_per_slave(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.packets_per_slave.get()))
}

fn show_tlb_dynamic_lb(d: &B, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(d.data().params.tlb_dynamic_lb.get()))
}

macro_rules! rw {
    ($name:literal, $show:ident, $store:ident) => {
        AttrDef { name: c_str!($name), mode: 0o644, show: $show, store: Some($store) }
    };
}
macro_rules! ro {
    ($name:literal, $show:ident) => {
        AttrDef { name: c_str!($name), mode: 0o444, show: $show, store: None }
    };
}

/// `/sys/class/net/<bond>/bonding/`, in bond_sysfs.c's order.
static BOND_FILES: [AttrDef<B>; 38] = [
    rw!("slaves", show_slaves, store_slaves),
    rw!("mode", show_mode, store_mode),
    rw!("fail_over_mac", show_fail_over_mac, store_fail_over_mac),
    rw!("arp_validate", show_arp_validate, store_arp_validate),
    rw!("arp_all_targets", show_arp_all_targets, store_arp_all_targets),
    rw!("arp_interval", show_arp_interval, store_arp_interval),
    rw!("arp_ip_target", show_arp_ip_target, store_arp_ip_target),
    rw!("downdelay", show_downdelay, store_downdelay),
    rw!("updelay", show_updelay, store_updelay),
    rw!("peer_notif_delay", show_peer_notif_delay, store_peer_notif_delay),
    rw!("lacp_active", show_lacp_active, store_lacp_active),
    rw!("lacp_rate", show_lacp_rate, store_lacp_rate),
    rw!("ad_select", show_ad_select, store_ad_select),
    rw!("xmit_hash_policy", show_xmit_hash_policy, store_xmit_hash_policy),
    rw!("num_grat_arp", show_num_peer_notif, store_num_grat_arp),
    rw!("num_unsol_na", show_num_peer_notif, store_num_unsol_na),
    rw!("miimon", show_miimon, store_miimon),
    rw!("primary", show_primary, store_primary),
    rw!("primary_reselect", show_primary_reselect, store_primary_reselect),
    rw!("use_carrier", show_use_carrier, store_use_carrier),
    rw!("active_slave", show_active_slave, store_active_slave),
    ro!("mii_status", show_mii_status),
    ro!("ad_aggregator", show_ad_aggregator),
    ro!("ad_num_ports", show_ad_num_ports),
    ro!("ad_actor_key", show_ad_actor_key),
    ro!("ad_partner_key", show_ad_partner_key),
    ro!("ad_partner_mac", show_ad_partner_mac),
    rw!("queue_id", show_queue_id, store_queue_id),
    rw!("all_slaves_active", show_all_slaves_active, store_all_slaves_active),
    rw!("resend_igmp", show_resend_igmp, store_resend_igmp),
    rw!("min_links", show_min_links, store_min_links),
    rw!("lp_interval", show_lp_interval, store_lp_interval),
    rw!("packets_per_slave", show_packets_per_slave, store_packets_per_slave),
    rw!("tlb_dynamic_lb", show_tlb_dynamic_lb, store_tlb_dynamic_lb),
    rw!("ad_actor_sys_prio", show_ad_actor_sys_prio, store_ad_actor_sys_prio),
    rw!("ad_actor_system", show_ad_actor_system, store_ad_actor_system),
    rw!("ad_user_port_key", show_ad_user_port_key, store_ad_user_port_key),
    rw!("arp_missed_max", show_arp_missed_max, store_arp_missed_max),
];

/// Creates `/sys/class/net/<bond>/bonding/`.
pub(crate) fn bond_files(dev: &BondDev, rtnl: &Rtnl) -> Result<AttributeGroup<B>> {
    AttributeGroup::new(dev, rtnl, c_str!("bonding"), &BOND_FILES, dev.into())
}

// --- bonding_slave/ -------------------------------------------------------------------

type S = Arc<Slave>;

fn slave_state(s: &S, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", if s.is_active() { "active" } else { "backup" });
    Ok(())
}

fn slave_mii_status(s: &S, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", link::name(s.link()));
    Ok(())
}

fn slave_link_failure_count(s: &S, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(s.link_failure_count.load(Ordering::Relaxed)))
}

fn slave_perm_hwaddr(s: &S, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", s.perm_hwaddr);
    Ok(())
}

fn slave_queue_id(s: &S, page: &mut Page<'_>) -> Result {
    show_num(page, i64::from(s.queue_id.load(Ordering::Relaxed)))
}

/// A slave's 802.3ad file: `field` of its port while attached to an aggregator, else
/// "N/A".
fn show_port_field(s: &S, page: &mut Page<'_>, field: fn(&Port, u16) -> u16) -> Result {
    let view = (s.bond.data().params.mode() == Mode::Ieee8023ad)
        .then(|| ad::port_view(&s.bond, s))
        .flatten();
    match view {
        Some((port, Some(id))) => {
            let _ = writeln!(page, "{}", field(&port, id));
        }
        _ => page.write_bytes(b"N/A\n"),
    }
    Ok(())
}

fn slave_ad_aggregator_id(s: &S, page: &mut Page<'_>) -> Result {
    show_port_field(s, page, |_, id| id)
}

fn slave_ad_actor_oper_port_state(s: &S, page: &mut Page<'_>) -> Result {
    show_port_field(s, page, |p, _| u16::from(p.actor_oper_port_state))
}

fn slave_ad_partner_oper_port_state(s: &S, page: &mut Page<'_>) -> Result {
    show_port_field(s, page, |p, _| u16::from(p.partner_oper.state))
}

macro_rules! sro {
    ($name:literal, $show:ident) => {
        AttrDef { name: c_str!($name), mode: 0o444, show: $show, store: None }
    };
}

/// `/sys/class/net/<slave>/bonding_slave/`, as bond_sysfs_slave.c lists it.
static SLAVE_FILES: [AttrDef<S>; 8] = [
    sro!("state", slave_state),
    sro!("mii_status", slave_mii_status),
    sro!("link_failure_count", slave_link_failure_count),
    sro!("perm_hwaddr", slave_perm_hwaddr),
    sro!("queue_id", slave_queue_id),
    sro!("ad_aggregator_id", slave_ad_aggregator_id),
    sro!("ad_actor_oper_port_state", slave_ad_actor_oper_port_state),
    sro!("ad_partner_oper_port_state", slave_ad_partner_oper_port_state),
];

/// Creates `/sys/class/net/<slave>/bonding_slave/`.
pub(crate) fn slave_files(dev: &Device, rtnl: &Rtnl, slave: S) -> Result<AttributeGroup<S>> {
    AttributeGroup::new(dev, rtnl, c_str!("bonding_slave"), &SLAVE_FILES, slave)
}

// --- bonding_masters ------------------------------------------------------------------

/// `/sys/class/net/bonding_masters` of one namespace.
pub(crate) struct Masters {
    /// The namespace's bonds (shared with its pernet state).
    pub(crate) bonds: Arc<BondList>,
}

impl ClassAttributeOps for Masters {
    /// bonding_show_bonds(): the bonds of the namespace.
    fn show(&self, _net: &Net, page: &mut Page<'_>) -> Result {
        let bonds = self.bonds.lock();
        let mut list = List::new(page);
        for b in bonds.iter() {
            list.item(format_args!("{}", b.name()));
        }
        list.finish()
    }

    /// bonding_store_bonds(): "+name" creates a bond, "-name" deletes one.
    fn store(&self, net: &Net, input: &[u8]) -> Result {
        let command = {
            let start = input.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(input.len());
            let rest = &input[start..];
            let end = rest.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(rest.len());
            &rest[..end.min(16)]
        };
        let name = command.get(1..).unwrap_or(&[]);
        if command.len() <= 1 || !valid_name(name) || (command[0] != b'+' && command[0] != b'-') {
            pr_err!("no command found in bonding_masters - use +ifname or -ifname\n");
            return Err(EPERM);
        }
        let shown = core::str::from_utf8(name).map_err(|_| EINVAL)?;
        let cname = CString::try_from_fmt(kernel::fmt!("{}", shown))?;
        let rtnl = RtnlGuard::lock();
        if command[0] == b'+' {
            pr_info!("{} is being created...\n", shown);
            create_bond(&rtnl, net, &cname).inspect_err(|e| {
                if *e == EEXIST {
                    pr_info!("{} already exists\n", shown);
                } else {
                    pr_info!("{} creation failed\n", shown);
                }
            })
        } else {
            let link = globals::link().ok_or(ENODEV)?;
            match Device::find_by_name(net, &cname, &rtnl).and_then(|d| link.downcast(d)) {
                Some(b) => {
                    pr_info!("{} is being deleted...\n", shown);
                    b.unregister(&rtnl);
                    Ok(())
                }
                None => {
                    pr_err!("unable to delete non-existent {}\n", shown);
                    Err(ENODEV)
                }
            }
        }
    }
}

/// bond_create(): a new bond named `name` (which may hold "%d") in `net`.
pub(crate) fn create_bond(rtnl: &Rtnl, net: &Net, name: &CStr) -> Result {
    let link = globals::link().ok_or(ENODEV)?;
    link.create(rtnl, net, name).map(|_| ())
}
