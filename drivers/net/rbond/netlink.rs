// SPDX-License-Identifier: GPL-2.0

//! rtnetlink kind `bond`: bond_netlink.c's policies, `bond_validate()`, `bond_newlink()`,
//! `bond_changelink()`, `bond_fill_info()` and the `bond_slave` attributes, so that
//! `ip link add bond0 type bond ...`, `ip link set ... type bond[_slave] ...` and
//! `ip -d link show` behave as with bonding.ko.

use crate::ad::{self, AdStats};
use crate::bond::{Bond, BondDev};
use crate::globals;
use crate::opt_set::{self, Value};
use crate::options::{Mode, Opt};
use core::sync::atomic::Ordering;
use kernel::{
    c_str,
    net::{
        device::Device,
        link::LinkType,
        netlink::{set_err_msg, total_size, Attrs, ExtAck, Message, Policy, Range},
        Net, Rtnl,
    },
    prelude::*,
};

/// `IFLA_ADDRESS` in the generic link attributes.
const IFLA_ADDRESS: u32 = 1;

/// `IFLA_BOND_*` (include/uapi/linux/if_link.h).
mod attr {
    pub(super) const MODE: u16 = 1;
    pub(super) const ACTIVE_SLAVE: u16 = 2;
    pub(super) const MIIMON: u16 = 3;
    pub(super) const UPDELAY: u16 = 4;
    pub(super) const DOWNDELAY: u16 = 5;
    pub(super) const USE_CARRIER: u16 = 6;
    pub(super) const ARP_INTERVAL: u16 = 7;
    pub(super) const ARP_IP_TARGET: u16 = 8;
    pub(super) const ARP_VALIDATE: u16 = 9;
    pub(super) const ARP_ALL_TARGETS: u16 = 10;
    pub(super) const PRIMARY: u16 = 11;
    pub(super) const PRIMARY_RESELECT: u16 = 12;
    pub(super) const FAIL_OVER_MAC: u16 = 13;
    pub(super) const XMIT_HASH_POLICY: u16 = 14;
    pub(super) const RESEND_IGMP: u16 = 15;
    pub(super) const NUM_PEER_NOTIF: u16 = 16;
    pub(super) const ALL_SLAVES_ACTIVE: u16 = 17;
    pub(super) const MIN_LINKS: u16 = 18;
    pub(super) const LP_INTERVAL: u16 = 19;
    pub(super) const PACKETS_PER_SLAVE: u16 = 20;
    pub(super) const AD_LACP_RATE: u16 = 21;
    pub(super) const AD_SELECT: u16 = 22;
    pub(super) const AD_INFO: u16 = 23;
    pub(super) const AD_ACTOR_SYS_PRIO: u16 = 24;
    pub(super) const AD_USER_PORT_KEY: u16 = 25;
    pub(super) const AD_ACTOR_SYSTEM: u16 = 26;
    pub(super) const TLB_DYNAMIC_LB: u16 = 27;
    pub(super) const PEER_NOTIF_DELAY: u16 = 28;
    pub(super) const AD_LACP_ACTIVE: u16 = 29;
    pub(super) const MISSED_MAX: u16 = 30;
    pub(super) const NS_IP6_TARGET: u16 = 31;
    pub(super) const COUPLED_CONTROL: u16 = 32;
}

/// `IFLA_BOND_SLAVE_*`.
mod slave_attr {
    pub(super) const STATE: u16 = 1;
    pub(super) const MII_STATUS: u16 = 2;
    pub(super) const LINK_FAILURE_COUNT: u16 = 3;
    pub(super) const PERM_HWADDR: u16 = 4;
    pub(super) const QUEUE_ID: u16 = 5;
    pub(super) const AD_AGGREGATOR_ID: u16 = 6;
    pub(super) const AD_ACTOR_OPER_PORT_STATE: u16 = 7;
    pub(super) const AD_PARTNER_OPER_PORT_STATE: u16 = 8;
    pub(super) const PRIO: u16 = 9;
    pub(super) const ACTOR_PORT_PRIO: u16 = 10;
    pub(super) const AD_CHURN_ACTOR_STATE: u16 = 11;
    pub(super) const AD_CHURN_PARTNER_STATE: u16 = 12;
}

/// `IFLA_BOND_AD_INFO_*`, nested in `IFLA_BOND_AD_INFO`.
mod ad_info {
    pub(super) const AGGREGATOR: u16 = 1;
    pub(super) const NUM_PORTS: u16 = 2;
    pub(super) const ACTOR_KEY: u16 = 3;
    pub(super) const PARTNER_KEY: u16 = 4;
    pub(super) const PARTNER_MAC: u16 = 5;
}

/// Extended statistics: `LINK_XSTATS_TYPE_BOND`, then `BOND_XSTATS_3AD` with the
/// `BOND_3AD_STAT_*` counters (include/uapi/linux/if_bonding.h) and their pad type.
mod xstats {
    pub(super) const TYPE_BOND: u16 = 2;
    pub(super) const BOND_3AD: u16 = 1;
    pub(super) const STAT_PAD: u16 = 9;
}

/// The longest delay netlink accepts (300 s).
static DELAY_RANGE: Range = Range::new(0, 300_000);

/// bond_policy[].
const POLICY: [Policy; 33] = [
    Policy::unspec(),
    Policy::u8(),          // MODE
    Policy::u32(),         // ACTIVE_SLAVE
    Policy::u32(),         // MIIMON
    Policy::u32(),         // UPDELAY
    Policy::u32(),         // DOWNDELAY
    Policy::u8(),          // USE_CARRIER
    Policy::u32(),         // ARP_INTERVAL
    Policy::nested(),      // ARP_IP_TARGET
    Policy::u32(),         // ARP_VALIDATE
    Policy::u32(),         // ARP_ALL_TARGETS
    Policy::u32(),         // PRIMARY
    Policy::u8(),          // PRIMARY_RESELECT
    Policy::u8(),          // FAIL_OVER_MAC
    Policy::u8(),          // XMIT_HASH_POLICY
    Policy::u32(),         // RESEND_IGMP
    Policy::u8(),          // NUM_PEER_NOTIF
    Policy::u8(),          // ALL_SLAVES_ACTIVE
    Policy::u32(),         // MIN_LINKS
    Policy::u32(),         // LP_INTERVAL
    Policy::u32(),         // PACKETS_PER_SLAVE
    Policy::u8(),          // AD_LACP_RATE
    Policy::u8(),          // AD_SELECT
    Policy::nested(),      // AD_INFO
    Policy::u16(),         // AD_ACTOR_SYS_PRIO
    Policy::u16(),         // AD_USER_PORT_KEY
    Policy::binary(6),     // AD_ACTOR_SYSTEM
    Policy::u8(),          // TLB_DYNAMIC_LB
    Policy::u32_range(&DELAY_RANGE), // PEER_NOTIF_DELAY
    Policy::u8(),          // AD_LACP_ACTIVE
    Policy::u8(),          // MISSED_MAX
    Policy::nested(),      // NS_IP6_TARGET
    Policy::u8(),          // COUPLED_CONTROL
];

/// bond_slave_policy[].
const SLAVE_POLICY: [Policy; 13] = [
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::u16(), // QUEUE_ID
    Policy::unspec(),
    Policy::unspec(),
    Policy::unspec(),
    Policy::s32(), // PRIO
    Policy::u16(), // ACTOR_PORT_PRIO
    Policy::unspec(),
    Policy::unspec(),
];

/// Sets one option from a numeric attribute.
fn set_num(dev: &BondDev, rtnl: &Rtnl, opt: Opt, v: u64, extack: &mut Option<&mut ExtAck>) -> Result {
    opt_set::set(dev, rtnl, opt, Value::Number(v), extack.as_deref_mut())
}

/// bond_changelink().
fn changelink(dev: &BondDev, rtnl: &Rtnl, data: &Attrs<'_>, mut extack: Option<&mut ExtAck>) -> Result {
    let ex = &mut extack;
    let num = |ty: u16| -> Option<Result<u64>> {
        data.get(ty.into()).map(|a| match a.data().len() {
            1 => a.u8().map(u64::from),
            2 => a.u16().map(u64::from),
            _ => a.u32().map(u64::from),
        })
    };
    let mut miimon = 0;
    if let Some(v) = num(attr::MODE) {
        set_num(dev, rtnl, Opt::Mode, v?, ex)?;
    }
    if let Some(v) = num(attr::ACTIVE_SLAVE) {
        let ifindex = v? as i32;
        let name = if ifindex != 0 {
            Device::find_by_index(dev.net(rtnl), ifindex, rtnl).ok_or(ENODEV)?.name()
        } else {
            kernel::net::device::Name::empty()
        };
        opt_set::set(dev, rtnl, Opt::ActiveSlave, Value::Text(name.as_bytes()), ex.as_deref_mut())?;
    }
    if let Some(v) = num(attr::MIIMON) {
        miimon = v?;
        set_num(dev, rtnl, Opt::Miimon, miimon, ex)?;
    }
    if let Some(v) = num(attr::UPDELAY) {
        set_num(dev, rtnl, Opt::Updelay, v?, ex)?;
    }
    if let Some(v) = num(attr::DOWNDELAY) {
        set_num(dev, rtnl, Opt::Downdelay, v?, ex)?;
    }
    if let Some(v) = num(attr::PEER_NOTIF_DELAY) {
        set_num(dev, rtnl, Opt::PeerNotifDelay, v?, ex)?;
    }
    if let Some(v) = num(attr::USE_CARRIER) {
        set_num(dev, rtnl, Opt::UseCarrier, v?, ex)?;
    }
    if let Some(v) = num(attr::ARP_INTERVAL) {
        let v = v?;
        if v != 0 && miimon != 0 {
            set_err_msg(ex.as_deref_mut(), c_str!("ARP monitoring cannot be used with MII monitoring"));
            return Err(EINVAL);
        }
        set_num(dev, rtnl, Opt::ArpInterval, v, ex)?;
    }
    if let Some(targets) = data.get(attr::ARP_IP_TARGET.into()) {
        opt_set::clear_arp_targets(dev);
        let mut count = 0;
        for t in targets.nested() {
            let be = t.be32()?;
            opt_set::set(dev, rtnl, Opt::ArpTargets, Value::Number(u64::from(u32::from_ne_bytes(be))), ex.as_deref_mut())?;
            count += 1;
        }
        if count == 0 && dev.data().params.arp_interval.get() != 0 {
            crate::log_bond!(dev, Warn, "Removing last arp target with arp_interval on\n");
        }
    }
    if let Some(targets) = data.get(attr::NS_IP6_TARGET.into()) {
        crate::monitor::ns::clear_targets(dev, rtnl);
        // As C: stop at the first refused target, warn if none was taken, then fail.
        let mut count = 0;
        let mut result = Ok(());
        for t in targets.nested() {
            let Some(addr) = t.data().get(..16).and_then(|a| <[u8; 16]>::try_from(a).ok()) else {
                set_err_msg(ex.as_deref_mut(), c_str!("Invalid IPv6 address"));
                return Err(EINVAL);
            };
            result = opt_set::set(dev, rtnl, Opt::NsTargets, Value::Ipv6(addr), ex.as_deref_mut());
            if result.is_err() {
                break;
            }
            count += 1;
        }
        if count == 0 && dev.data().params.arp_interval.get() != 0 {
            crate::log_bond!(dev, Warn, "Removing last ns target with arp_interval on\n");
        }
        result?;
    }
    if let Some(v) = num(attr::ARP_VALIDATE) {
        let v = v?;
        if v != 0 && miimon != 0 {
            set_err_msg(ex.as_deref_mut(), c_str!("ARP validating cannot be used with MII monitoring"));
            return Err(EINVAL);
        }
        set_num(dev, rtnl, Opt::ArpValidate, v, ex)?;
    }
    if let Some(v) = num(attr::ARP_ALL_TARGETS) {
        set_num(dev, rtnl, Opt::ArpAllTargets, v?, ex)?;
    }
    if let Some(v) = num(attr::PRIMARY) {
        let ifindex = v? as i32;
        let name = Device::find_by_index(dev.net(rtnl), ifindex, rtnl)
            .map_or_else(kernel::net::device::Name::empty, |d| d.name());
        opt_set::set(dev, rtnl, Opt::Primary, Value::Text(name.as_bytes()), ex.as_deref_mut())?;
    }
    for (ty, opt) in [
        (attr::PRIMARY_RESELECT, Opt::PrimaryReselect),
        (attr::FAIL_OVER_MAC, Opt::FailOverMac),
        (attr::XMIT_HASH_POLICY, Opt::XmitHash),
        (attr::RESEND_IGMP, Opt::ResendIgmp),
        (attr::NUM_PEER_NOTIF, Opt::NumPeerNotif),
        (attr::ALL_SLAVES_ACTIVE, Opt::AllSlavesActive),
        (attr::MIN_LINKS, Opt::MinLinks),
        (attr::LP_INTERVAL, Opt::LpInterval),
        (attr::PACKETS_PER_SLAVE, Opt::PacketsPerSlave),
        (attr::AD_LACP_ACTIVE, Opt::LacpActive),
        (attr::AD_LACP_RATE, Opt::LacpRate),
        (attr::AD_SELECT, Opt::AdSelect),
        (attr::AD_ACTOR_SYS_PRIO, Opt::AdActorSysPrio),
        (attr::AD_USER_PORT_KEY, Opt::AdUserPortKey),
    ] {
        if let Some(v) = num(ty) {
            set_num(dev, rtnl, opt, v?, ex)?;
        }
    }
    if let Some(a) = data.get(attr::AD_ACTOR_SYSTEM.into()) {
        let b = a.data();
        if b.len() != 6 {
            return Err(EINVAL);
        }
        // C reads it with nla_get_u64() and takes the first six bytes in memory order.
        let raw = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], 0, 0]);
        set_num(dev, rtnl, Opt::AdActorSystem, raw, ex)?;
    }
    for (ty, opt) in [
        (attr::TLB_DYNAMIC_LB, Opt::TlbDynamicLb),
        (attr::MISSED_MAX, Opt::MissedMax),
        (attr::COUPLED_CONTROL, Opt::CoupledControl),
    ] {
        if let Some(v) = num(ty) {
            set_num(dev, rtnl, opt, v?, ex)?;
        }
    }
    Ok(())
}

#[vtable]
impl LinkType for Bond {
    const KIND: &'static CStr = c_str!("bond");
    const POLICY: &'static [Policy] = &POLICY;
    const SLAVE_POLICY: &'static [Policy] = &SLAVE_POLICY;

    /// bond_validate().
    fn validate(tb: &Attrs<'_>, _data: &Attrs<'_>, _extack: Option<&mut ExtAck>) -> Result {
        if let Some(a) = tb.get(IFLA_ADDRESS) {
            let mac = a.data();
            if mac.len() != 6 {
                return Err(EINVAL);
            }
            if mac[0] & 1 != 0 || mac.iter().all(|&b| b == 0) {
                return Err(EADDRNOTAVAIL);
            }
        }
        Ok(())
    }

    /// bond_newlink(): options first, then registration (by the abstraction).
    fn newlink(
        dev: &BondDev,
        rtnl: &Rtnl,
        _src_net: &Net,
        _tb: &Attrs<'_>,
        data: &Attrs<'_>,
        extack: Option<&mut ExtAck>,
    ) -> Result {
        changelink(dev, rtnl, data, extack)
    }

    fn changelink(
        dev: &BondDev,
        rtnl: &Rtnl,
        _tb: &Attrs<'_>,
        data: &Attrs<'_>,
        extack: Option<&mut ExtAck>,
    ) -> Result {
        changelink(dev, rtnl, data, extack)
    }

    /// bond_get_size().
    fn get_size(_dev: &BondDev) -> usize {
        let u8s = 14;
        let u16s = 2;
        let u32s = 16;
        u8s * total_size(1)
            + u16s * total_size(2)
            + u32s * total_size(4)
            + total_size(4 * 16) + total_size(0)
            + total_size(16 * 16) + total_size(0)
            + total_size(6)
            + total_size(0) + 2 * total_size(2) * 2 + total_size(6)
    }

    /// bond_fill_info().
    fn fill_info(dev: &BondDev, msg: &mut Message<'_>) -> Result {
        let bond = dev.data();
        let p = &bond.params;
        let miimon = p.miimon.get();
        msg.put_u8(attr::MODE, p.mode() as u8)?;
        if bond.uses_primary() {
            if let Some(c) = bond.curr_active_arc() {
                msg.put_u32(attr::ACTIVE_SLAVE, c.dev.ifindex() as u32)?;
            }
        }
        msg.put_u32(attr::MIIMON, miimon)?;
        msg.put_u32(attr::UPDELAY, p.updelay.get() * miimon)?;
        msg.put_u32(attr::DOWNDELAY, p.downdelay.get() * miimon)?;
        msg.put_u32(attr::PEER_NOTIF_DELAY, p.peer_notif_delay.get() * miimon)?;
        msg.put_u8(attr::USE_CARRIER, p.use_carrier.get() as u8)?;
        msg.put_u32(attr::ARP_INTERVAL, p.arp_interval.get())?;
        let targets = bond.strings.lock().arp_targets;
        msg.nest_noflag(attr::ARP_IP_TARGET, false, |m| {
            for (i, t) in targets.iter().enumerate() {
                if *t != [0; 4] {
                    m.put(i as u16, t)?;
                }
            }
            Ok(())
        })?;
        msg.put_u32(attr::ARP_VALIDATE, p.arp_validate.get())?;
        msg.put_u32(attr::ARP_ALL_TARGETS, p.arp_all_targets.get())?;
        let ns_targets = bond.ns_targets.all();
        msg.nest(attr::NS_IP6_TARGET, false, |m| {
            for (i, t) in ns_targets.iter().enumerate() {
                if *t != [0; 16] {
                    m.put(i as u16, t)?;
                }
            }
            Ok(())
        })?;
        if let Some(prim) = bond.primary_arc() {
            msg.put_u32(attr::PRIMARY, prim.dev.ifindex() as u32)?;
        }
        msg.put_u8(attr::PRIMARY_RESELECT, p.primary_reselect.get() as u8)?;
        msg.put_u8(attr::FAIL_OVER_MAC, p.fail_over_mac.get() as u8)?;
        msg.put_u8(attr::XMIT_HASH_POLICY, p.xmit_policy.get() as u8)?;
        msg.put_u32(attr::RESEND_IGMP, p.resend_igmp.get())?;
        msg.put_u8(attr::NUM_PEER_NOTIF, p.num_peer_notif.get() as u8)?;
        msg.put_u8(attr::ALL_SLAVES_ACTIVE, p.all_slaves_active.get() as u8)?;
        msg.put_u32(attr::MIN_LINKS, p.min_links.get())?;
        msg.put_u32(attr::LP_INTERVAL, p.lp_interval.get())?;
        msg.put_u32(attr::PACKETS_PER_SLAVE, p.packets_per_slave.get())?;
        msg.put_u8(attr::AD_LACP_ACTIVE, p.lacp_active.get() as u8)?;
        msg.put_u8(attr::AD_LACP_RATE, p.lacp_fast.get() as u8)?;
        msg.put_u8(attr::AD_SELECT, p.ad_select.get() as u8)?;
        msg.put_u8(attr::TLB_DYNAMIC_LB, p.tlb_dynamic_lb.get() as u8)?;
        msg.put_u8(attr::MISSED_MAX, p.missed_max.get() as u8)?;
        msg.put_u8(attr::COUPLED_CONTROL, p.coupled_control.get() as u8)?;
        if p.mode() == Mode::Ieee8023ad {
            if kernel::net::current_is_net_admin() {
                msg.put_u16(attr::AD_ACTOR_SYS_PRIO, p.ad_actor_sys_prio.get() as u16)?;
                msg.put_u16(attr::AD_USER_PORT_KEY, p.ad_user_port_key.get() as u16)?;
                let system = bond.strings.lock().ad_actor_system;
                msg.put(attr::AD_ACTOR_SYSTEM, &system)?;
            }
            if let Some(info) = ad::active_agg_info(dev) {
                msg.nest_noflag(attr::AD_INFO, true, |m| {
                    m.put_u16(ad_info::AGGREGATOR, info.aggregator_id)?;
                    m.put_u16(ad_info::NUM_PORTS, info.ports)?;
                    m.put_u16(ad_info::ACTOR_KEY, info.actor_key)?;
                    m.put_u16(ad_info::PARTNER_KEY, info.partner_key)?;
                    m.put(ad_info::PARTNER_MAC, &info.partner_system)
                })?;
            }
        }
        Ok(())
    }

    fn num_queues() -> u32 {
        globals::defaults().tx_queues.max(1) as u32
    }

    /// bond_slave_changelink().
    fn slave_changelink(
        dev: &BondDev,
        rtnl: &Rtnl,
        lower: &Device,
        data: &Attrs<'_>,
        mut extack: Option<&mut ExtAck>,
    ) -> Result {
        if let Some(a) = data.get(slave_attr::QUEUE_ID.into()) {
            let qid = a.u16()?;
            let text = kernel::str::CString::try_from_fmt(kernel::fmt!("{}:{}\n", lower.name(), qid))?;
            opt_set::set(dev, rtnl, Opt::QueueId, Value::Text(text.as_bytes()), extack.as_deref_mut())?;
        }
        if let Some(a) = data.get(slave_attr::PRIO.into()) {
            let prio = a.u32()? as i32;
            opt_set::set(dev, rtnl, Opt::Prio, Value::Slave(lower, i64::from(prio)), extack.as_deref_mut())?;
        }
        if let Some(a) = data.get(slave_attr::ACTOR_PORT_PRIO.into()) {
            let prio = a.u16()?;
            opt_set::set(dev, rtnl, Opt::ActorPortPrio, Value::Slave(lower, i64::from(prio)), extack.as_deref_mut())?;
        }
        Ok(())
    }

    fn get_slave_size(_dev: &BondDev, _lower: &Device) -> usize {
        4 * total_size(1) + total_size(4) + total_size(32) + 4 * total_size(2) + total_size(4) + 2 * total_size(1)
    }

    /// bond_fill_slave_info().
    fn fill_slave_info(dev: &BondDev, lower: &Device, msg: &mut Message<'_>) -> Result {
        let Some(slave) = dev.data().find_slave(lower) else { return Ok(()) };
        msg.put_u8(slave_attr::STATE, slave.state())?;
        msg.put_u8(slave_attr::MII_STATUS, slave.link())?;
        msg.put_u32(slave_attr::LINK_FAILURE_COUNT, slave.link_failure_count.load(Ordering::Relaxed))?;
        msg.put(slave_attr::PERM_HWADDR, slave.perm_hwaddr.as_bytes())?;
        msg.put_u16(slave_attr::QUEUE_ID, slave.queue_id.load(Ordering::Relaxed))?;
        msg.put_u32(slave_attr::PRIO, slave.prio.load(Ordering::Relaxed) as u32)?;
        if dev.data().params.mode() == Mode::Ieee8023ad {
            if let Some((port, aggregator)) = ad::port_view(dev, &slave) {
                if let Some(id) = aggregator {
                    msg.put_u16(slave_attr::AD_AGGREGATOR_ID, id)?;
                    msg.put_u8(slave_attr::AD_ACTOR_OPER_PORT_STATE, port.actor_oper_port_state)?;
                    msg.put_u16(slave_attr::AD_PARTNER_OPER_PORT_STATE, u16::from(port.partner_oper.state))?;
                    msg.put_u8(slave_attr::AD_CHURN_ACTOR_STATE, port.sm_churn_actor_state as u8)?;
                    msg.put_u8(slave_attr::AD_CHURN_PARTNER_STATE, port.sm_churn_partner_state as u8)?;
                }
                msg.put_u16(slave_attr::ACTOR_PORT_PRIO, port.actor_port_priority)?;
            }
        }
        Ok(())
    }

    /// bond_get_linkxstats_size().
    fn xstats_size() -> usize {
        9 * total_size(8 + 4) + total_size(0)
    }

    /// bond_fill_linkxstats() for the bond.
    fn fill_xstats(dev: &BondDev, msg: &mut Message<'_>) -> Result {
        fill_3ad_stats(dev, &dev.data().ad_stats, msg)
    }

    /// bond_fill_linkxstats() for a slave.
    fn fill_slave_xstats(dev: &BondDev, lower: &Device, msg: &mut Message<'_>) -> Result {
        let Some(slave) = dev.data().find_slave(lower) else { return Ok(()) };
        fill_3ad_stats(dev, &slave.ad_stats, msg)
    }
}

/// bond_fill_linkxstats()'s nests: `LINK_XSTATS_TYPE_BOND`, holding the 802.3ad counters in
/// `BOND_XSTATS_3AD` when the bond is in 802.3ad.
fn fill_3ad_stats(dev: &BondDev, stats: &AdStats, msg: &mut Message<'_>) -> Result {
    let is_3ad = dev.data().params.mode() == Mode::Ieee8023ad;
    msg.nest_noflag(xstats::TYPE_BOND, true, |m| {
        if !is_3ad {
            return Ok(());
        }
        m.nest_noflag(xstats::BOND_3AD, true, |m| {
            for (ty, v) in stats.get().iter().enumerate() {
                m.put_u64(ty as u16, *v, xstats::STAT_PAD)?;
            }
            Ok(())
        })
    })
}
