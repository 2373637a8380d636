// SPDX-License-Identifier: GPL-2.0

//! Setting an option on a bond: bond_options.c's `__bond_opt_set()` (mode dependencies,
//! parsing, the option's setter, and `bond_opt_error_interpret()`'s messages) and every
//! `bond_option_*_set()` function.
//!
//! sysfs writes, netlink attributes and `bonding_masters` all come here, so one value gets
//! one answer whichever door it came through. Callers hold RTNL.

use crate::active;
use crate::ad;
use crate::bond::{set_carrier, Bond, BondDev, ARP_WORK, MII_WORK};
use crate::enslave;
use crate::options::{self, Input, Mode, Opt, IFDOWN, NOSLAVES, RAWVAL};
use core::sync::atomic::Ordering;
use kernel::{
    c_str,
    net::{
        device::{flags, Device},
        netlink::{set_err_msg, ExtAck},
        notifier::DriverEvent,
        Rtnl,
    },
    prelude::*,
    str::CString,
    sync::{rcu, Arc},
};

/// What an option is set to.
#[derive(Clone, Copy)]
pub(crate) enum Value<'a> {
    /// Text from sysfs (may end in a newline).
    Text(&'a [u8]),
    /// A number from netlink.
    Number(u64),
    /// A per-slave value from netlink (`prio`).
    Slave(&'a Device, i64),
    /// An IPv6 address from netlink (`ns_ip6_target`; C passes it as the value's `extra`,
    /// with the number `ULLONG_MAX`).
    Ipv6([u8; 16]),
}

impl Value<'_> {
    fn text(&self) -> &[u8] {
        match self {
            Value::Text(t) => {
                let end = t.iter().position(|&b| b == b'\n').unwrap_or(t.len());
                &t[..end]
            }
            _ => &[],
        }
    }
}

/// Text for a message: printable bytes as they are.
struct Shown<'a>(&'a [u8]);

impl core::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for &b in self.0 {
            core::fmt::Write::write_char(f, b as char)?;
        }
        Ok(())
    }
}

/// __bond_opt_set(): checks, parses, sets; logs bonding.ko's message on failure.
pub(crate) fn set(
    dev: &BondDev,
    rtnl: &Rtnl,
    opt: Opt,
    value: Value<'_>,
    mut extack: Option<&mut ExtAck>,
) -> Result {
    let r = check_deps(dev, opt).and_then(|()| {
        let parsed = parse(opt, &value).ok_or(EINVAL)?;
        apply(dev, rtnl, opt, parsed, value, &mut extack)
    });
    if let Err(e) = r {
        interpret(dev, opt, e, &value, &mut extack);
    }
    r
}

/// bond_opt_tryset_rtnl() + __bond_opt_set_notify(): a sysfs write.
pub(crate) fn set_from_sysfs(dev: &BondDev, opt: Opt, text: &[u8]) -> Result {
    let rtnl = Rtnl::lock_or_restart()?;
    set(dev, &rtnl, opt, Value::Text(text), None)?;
    dev.notify(&rtnl, DriverEvent::ChangeInfoData);
    Ok(())
}

/// bond_opt_check_deps().
fn check_deps(dev: &BondDev, opt: Opt) -> Result {
    let bond = dev.data();
    let d = opt.def();
    if opt.unsupported_in(bond.params.mode()) {
        return Err(EACCES);
    }
    if d.flags & NOSLAVES != 0 && bond.has_slaves() {
        return Err(ENOTEMPTY);
    }
    if d.flags & IFDOWN != 0 && dev.flags() & flags::UP != 0 {
        return Err(EBUSY);
    }
    Ok(())
}

/// bond_opt_parse(): `None` if the value is not one the option takes.
fn parse(opt: Opt, value: &Value<'_>) -> Option<u64> {
    let d = opt.def();
    if d.flags & RAWVAL != 0 {
        return Some(match value {
            Value::Number(n) => *n,
            Value::Slave(_, v) => *v as u64,
            Value::Text(_) => 0,
            Value::Ipv6(_) => u64::MAX,
        });
    }
    match value {
        Value::Text(t) => options::parse(d.values, Input::Text(t)),
        Value::Number(n) => options::parse(d.values, Input::Number(*n)),
        Value::Slave(..) | Value::Ipv6(_) => None,
    }
}

/// bond_opt_error_interpret().
fn interpret(dev: &BondDev, opt: Opt, e: Error, value: &Value<'_>, extack: &mut Option<&mut ExtAck>) {
    let name = opt.def().name;
    if e == EINVAL {
        set_err_msg(extack.as_deref_mut(), c_str!("invalid option value"));
        match value {
            Value::Text(_) => log_bond!(dev, Err, "option {}: invalid value ({})\n", name, Shown(value.text())),
            Value::Number(n) => log_bond!(dev, Err, "option {}: invalid value ({})\n", name, n),
            Value::Slave(_, v) => log_bond!(dev, Err, "option {}: invalid value ({})\n", name, *v as u64),
            // bond_opt_initextra() leaves the number at ULLONG_MAX.
            Value::Ipv6(_) => log_bond!(dev, Err, "option {}: invalid value ({})\n", name, u64::MAX),
        }
        if let Some((min, max)) = opt.range() {
            log_bond!(dev, Err, "option {}: allowed values {} - {}\n", name, min, max);
        }
    } else if e == EACCES {
        let mode = dev.data().params.mode();
        log_bond!(
            dev,
            Err,
            "option {}: mode dependency failed, not supported in mode {}({})\n",
            name,
            mode.name(),
            mode as u8
        );
        set_err_msg(extack.as_deref_mut(), c_str!("option not supported in mode"));
    } else if e == ENOTEMPTY {
        set_err_msg(extack.as_deref_mut(), c_str!("unable to set option because the bond device has slaves"));
        log_bond!(dev, Err, "option {}: unable to set because the bond device has slaves\n", name);
    } else if e == EBUSY {
        set_err_msg(extack.as_deref_mut(), c_str!("unable to set option because the bond is up"));
        log_bond!(dev, Err, "option {}: unable to set because the bond device is up\n", name);
    } else if e == ENODEV {
        if let Value::Text(_) = value {
            log_bond!(dev, Err, "option {}: interface {} does not exist!\n", name, Shown(value.text()));
            set_err_msg(extack.as_deref_mut(), c_str!("interface does not exist"));
        }
    }
}

/// The option's setter (`bond_option_*_set`).
fn apply(
    dev: &BondDev,
    rtnl: &Rtnl,
    opt: Opt,
    v: u64,
    value: Value<'_>,
    extack: &mut Option<&mut ExtAck>,
) -> Result {
    let bond = dev.data();
    let p = &bond.params;
    let v32 = v as u32;
    match opt {
        Opt::Mode => set_mode(dev, v),
        Opt::PacketsPerSlave => Ok(p.packets_per_slave.set(v32)),
        Opt::XmitHash => Ok(p.xmit_policy.set(v32)),
        Opt::ArpValidate => {
            let changed = (p.arp_validate.get() != 0) != (v32 != 0);
            p.arp_validate.set(v32);
            // bond_option_arp_validate_set(): backups join or leave the NS targets' groups.
            if changed {
                for s in bond.slaves(&rcu::read_lock()) {
                    crate::monitor::ns::set_maddrs(bond, rtnl, s, v32 != 0);
                }
            }
            Ok(())
        }
        Opt::ArpAllTargets => Ok(p.arp_all_targets.set(v32)),
        Opt::FailOverMac => Ok(p.fail_over_mac.set(v32)),
        Opt::ArpInterval => {
            p.arp_interval.set(v32);
            if v != 0 && p.miimon.get() != 0 {
                p.miimon.set(0);
            }
            // bond_option_arp_interval_set(): an up bond starts or stops the monitor now.
            if dev.flags() & flags::UP != 0 {
                if v == 0 {
                    bond.arp_rx.store(false, Ordering::Relaxed);
                    Bond::cancel_work::<ARP_WORK>(dev);
                } else {
                    bond.arp_rx.store(true, Ordering::Relaxed);
                    Bond::cancel_work::<MII_WORK>(dev);
                    Bond::queue_work::<ARP_WORK>(dev, 0);
                }
            }
            Ok(())
        }
        Opt::MissedMax => Ok(p.missed_max.set(v32)),
        Opt::ArpTargets => set_arp_target(dev, value),
        Opt::NsTargets => match value {
            Value::Ipv6(t) => crate::monitor::ns::add_target(dev, rtnl, &t),
            // Netlink is its only way in.
            _ => Err(EINVAL),
        },
        Opt::Downdelay => set_delay(dev, v, "down delay", &p.downdelay),
        Opt::Updelay => set_delay(dev, v, "up delay", &p.updelay),
        Opt::PeerNotifDelay => set_delay(dev, v, "peer notification delay", &p.peer_notif_delay),
        Opt::LacpActive => {
            p.lacp_active.set(v32);
            ad::update_lacp_active(dev);
            Ok(())
        }
        Opt::LacpRate => {
            p.lacp_fast.set(v32);
            ad::update_lacp_rate(dev);
            Ok(())
        }
        Opt::MinLinks => {
            log_bond!(dev, Info, "Setting min links value to {}\n", v);
            p.min_links.set(v32);
            set_carrier(dev);
            Ok(())
        }
        Opt::AdSelect => Ok(p.ad_select.set(v32)),
        Opt::NumPeerNotif | Opt::NumPeerNotifAlias => Ok(p.num_peer_notif.set(v32)),
        Opt::Miimon => set_miimon(dev, v32),
        Opt::Prio => set_prio(dev, rtnl, value),
        Opt::Primary => set_primary(dev, rtnl, value.text()),
        Opt::PrimaryReselect => {
            p.primary_reselect.set(v32);
            active::select_active_slave(dev, rtnl);
            Ok(())
        }
        Opt::UseCarrier => Ok(p.use_carrier.set(v32)),
        Opt::ActiveSlave => set_active_slave(dev, rtnl, value.text()),
        Opt::QueueId => set_queue_id(dev, rtnl, value.text()),
        Opt::AllSlavesActive => {
            if v32 != p.all_slaves_active.get() {
                p.all_slaves_active.set(v32);
                for s in enslave::slave_list(dev)?.iter() {
                    if v32 != 0 {
                        s.clear_inactive();
                    } else {
                        s.restore_inactive();
                    }
                }
            }
            Ok(())
        }
        Opt::ResendIgmp => {
            log_bond!(dev, Info, "Setting resend_igmp to {}\n", v);
            Ok(p.resend_igmp.set(v32))
        }
        Opt::LpInterval => Ok(p.lp_interval.set(v32)),
        Opt::Slaves => set_slaves(dev, rtnl, value.text(), extack),
        Opt::TlbDynamicLb => Ok(p.tlb_dynamic_lb.set(v32)),
        Opt::AdActorSysPrio => {
            p.ad_actor_sys_prio.set(v32);
            ad::update_actor_settings(dev);
            Ok(())
        }
        Opt::ActorPortPrio => {
            let Value::Slave(slave_dev, prio) = value else { return Err(EINVAL) };
            let slave = bond.find_slave(slave_dev).ok_or(ENODEV)?;
            ad::set_port_priority(dev, &slave, prio as u16);
            Ok(())
        }
        Opt::AdActorSystem => set_ad_actor_system(dev, v, value),
        Opt::AdUserPortKey => Ok(p.ad_user_port_key.set(v32)),
        Opt::CoupledControl => Ok(p.coupled_control.set(v32)),
        Opt::BroadcastNeighbor => Ok(p.broadcast_neighbor.set(v32)),
    }
}

/// bond_option_ad_actor_system_set(): text as `mac_pton()` reads it (six `xx:` pairs, the
/// rest ignored), or from netlink the attribute's bytes; a multicast address is refused.
fn set_ad_actor_system(dev: &BondDev, v: u64, value: Value<'_>) -> Result {
    let mac = match value {
        Value::Text(t) => mac_pton(t),
        _ => {
            let b = v.to_le_bytes();
            Some([b[0], b[1], b[2], b[3], b[4], b[5]])
        }
    };
    let Some(mac) = mac.filter(|m| m[0] & 1 == 0) else {
        log_bond!(dev, Err, "Invalid ad_actor_system MAC address.\n");
        return Err(EINVAL);
    };
    dev.data().strings.lock().ad_actor_system = mac;
    ad::update_actor_settings(dev);
    Ok(())
}

/// mac_pton(): `XX:XX:XX:XX:XX:XX` at the start of `t`.
fn mac_pton(t: &[u8]) -> Option<[u8; 6]> {
    if t.len() < 17 {
        return None;
    }
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut mac = [0u8; 6];
    for (i, m) in mac.iter_mut().enumerate() {
        let (hi, lo) = (hex(t[i * 3])?, hex(t[i * 3 + 1])?);
        if i != 5 && t[i * 3 + 2] != b':' {
            return None;
        }
        *m = hi << 4 | lo;
    }
    Some(mac)
}

/// bond_option_mode_set().
fn set_mode(dev: &BondDev, v: u64) -> Result {
    let p = &dev.data().params;
    let mode = Mode::from_value(v).ok_or(EINVAL)?;
    if !mode.uses_arp() {
        p.arp_interval.set(0);
        if p.miimon.get() == 0 {
            p.miimon.set(crate::params::DEFAULT_MIIMON as u32);
        }
    }
    if mode == Mode::BalanceAlb {
        p.tlb_dynamic_lb.set(1);
    }
    p.arp_validate.set(0);
    p.mode.set(mode as u32);
    p.broadcast_neighbor.set(0);
    Ok(())
}

/// bond_option_miimon_set().
fn set_miimon(dev: &BondDev, v: u32) -> Result {
    let p = &dev.data().params;
    p.miimon.set(v);
    if v != 0 && p.arp_interval.get() != 0 {
        p.arp_interval.set(0);
        p.arp_validate.set(0);
    }
    if dev.flags() & flags::UP != 0 {
        Bond::cancel_work::<MII_WORK>(dev);
        if v != 0 {
            Bond::cancel_work::<ARP_WORK>(dev);
            Bond::queue_work::<MII_WORK>(dev, 0);
        }
    }
    Ok(())
}

/// _bond_option_delay_set(): stored as a multiple of miimon.
fn set_delay(dev: &BondDev, v: u64, name: &str, target: &crate::config::Val) -> Result {
    let miimon = u64::from(dev.data().params.miimon.get());
    if miimon == 0 {
        log_bond!(dev, Err, "Unable to set {} as MII monitoring is disabled\n", name);
        return Err(EPERM);
    }
    if v % miimon != 0 {
        log_bond!(
            dev,
            Warn,
            "{} ({}) is not a multiple of miimon ({}), value rounded to {} ms\n",
            name,
            v as i32,
            miimon,
            (v / miimon) * miimon
        );
    }
    target.set((v / miimon) as u32);
    Ok(())
}

/// bond_option_prio_set().
fn set_prio(dev: &BondDev, rtnl: &Rtnl, value: Value<'_>) -> Result {
    let Value::Slave(slave_dev, prio) = value else { return Err(EINVAL) };
    let bond = dev.data();
    let slave = bond.find_slave(slave_dev).ok_or(ENODEV)?;
    slave.prio.store(prio as i32, Ordering::Relaxed);
    if bond.primary_arc().is_some() {
        log_slave!(
            dev,
            slave_dev,
            Warn,
            "prio updated, but will not affect failover re-selection as primary slave have been set\n"
        );
    } else {
        active::select_active_slave(dev, rtnl);
    }
    Ok(())
}

/// bond_option_primary_set().
fn set_primary(dev: &BondDev, rtnl: &Rtnl, name: &[u8]) -> Result {
    let bond = dev.data();
    if name.is_empty() {
        bond.set_primary(rtnl, None)?;
        bond.strings.lock().primary = [0; 16];
        active::select_active_slave(dev, rtnl);
        return Ok(());
    }
    let found = enslave::slave_list(dev)?
        .iter()
        .find(|s| s.dev.name().as_bytes() == &name[..name.len().min(15)])
        .cloned();
    if let Some(s) = found {
        bond.set_primary(rtnl, Some(s.clone()))?;
        let mut buf = [0u8; 16];
        let n = s.dev.name();
        buf[..n.as_bytes().len()].copy_from_slice(n.as_bytes());
        bond.strings.lock().primary = buf;
        bond.force_primary.store(true, Ordering::Relaxed);
        active::select_active_slave(dev, rtnl);
        return Ok(());
    }
    if bond.primary_arc().is_some() {
        bond.set_primary(rtnl, None)?;
        active::select_active_slave(dev, rtnl);
    }
    let mut buf = [0u8; 16];
    let n = name.len().min(15);
    buf[..n].copy_from_slice(&name[..n]);
    bond.strings.lock().primary = buf;
    Ok(())
}

/// The first word of `text`, at most 15 bytes (sscanf "%15s").
fn word(text: &[u8], max: usize) -> &[u8] {
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
    let rest = &text[start..];
    let end = rest.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(rest.len());
    &rest[..end.min(max)]
}

/// The device named `name` in the bond's namespace.
fn device_named<'a>(dev: &BondDev, rtnl: &'a Rtnl, name: &[u8]) -> Result<Option<&'a Device>> {
    let cname = CString::try_from_fmt(kernel::fmt!("{}", Shown(name)))?;
    Ok(Device::find_by_name(dev.net(rtnl), &cname, rtnl))
}

/// bond_option_active_slave_set().
fn set_active_slave(dev: &BondDev, rtnl: &Rtnl, text: &[u8]) -> Result {
    let bond = dev.data();
    let name = word(text, 15);
    let slave_dev = if name.is_empty() {
        None
    } else {
        Some(device_named(dev, rtnl, name)?.ok_or(ENODEV)?)
    };
    let Some(slave_dev) = slave_dev else {
        active::change_active_slave(dev, rtnl, None);
        active::select_active_slave(dev, rtnl);
        return Ok(());
    };
    if !enslave::is_bond_slave(slave_dev) {
        log_slave!(dev, slave_dev, Err, "Device is not bonding slave\n");
        return Err(EINVAL);
    }
    if !slave_dev.master(rtnl).map_or(false, |m| m.is(dev)) {
        log_slave!(dev, slave_dev, Err, "Device is not our slave\n");
        return Err(EINVAL);
    }
    let new = bond.find_slave(slave_dev).ok_or(EINVAL)?;
    let old = bond.curr_active_arc();
    if old.as_ref().map_or(false, |o| Arc::ptr_eq(o, &new)) {
        return Ok(());
    }
    if old.is_some() && new.link() == crate::slave::link::UP && new.is_up() {
        active::change_active_slave(dev, rtnl, Some(new));
        Ok(())
    } else {
        log_slave!(
            dev,
            slave_dev,
            Err,
            "Could not set as active slave; either {} is down or the link is down\n",
            slave_dev.name()
        );
        Err(EINVAL)
    }
}

/// bond_option_queue_id_set(): "<slave>:<queue id>".
fn set_queue_id(dev: &BondDev, rtnl: &Rtnl, text: &[u8]) -> Result {
    let Some(colon) = text.iter().position(|&b| b == b':') else { return Err(EPERM) };
    let (name, rest) = (&text[..colon], &text[colon + 1..]);
    let digits = word(rest, 16);
    let qid: u16 = core::str::from_utf8(digits)
        .ok()
        .and_then(|s| s.parse::<i16>().ok())
        .map(|q| q as u16)
        .ok_or(EPERM)?;
    if name.is_empty() || name.len() > 15 || u32::from(qid) > dev.real_num_tx_queues() {
        return Err(EPERM);
    }
    let sdev = device_named(dev, rtnl, name)?.ok_or(EPERM)?;
    let slaves = enslave::slave_list(dev)?;
    let mut update = None;
    for s in slaves.iter() {
        if s.dev.is(sdev) {
            update = Some(s.clone());
        } else if qid != 0 && qid == s.queue_id.load(Ordering::Relaxed) {
            return Err(EPERM);
        }
    }
    update.ok_or(EPERM)?.queue_id.store(qid, Ordering::Relaxed);
    Ok(())
}

/// bond_option_slaves_set(): "+ifname" enslaves, "-ifname" releases.
fn set_slaves(dev: &BondDev, rtnl: &Rtnl, text: &[u8], extack: &mut Option<&mut ExtAck>) -> Result {
    let command = word(text, 16);
    let valid = command.len() > 1
        && (command[0] == b'+' || command[0] == b'-')
        && valid_name(&command[1..]);
    if !valid {
        log_bond!(dev, Err, "no command found in slaves file - use +ifname or -ifname\n");
        return Err(EPERM);
    }
    let Some(slave_dev) = device_named(dev, rtnl, &command[1..])? else {
        return Err(ENODEV);
    };
    if command[0] == b'+' {
        enslave::enslave(dev, rtnl, slave_dev, extack.as_deref_mut())
    } else {
        enslave::release(dev, rtnl, slave_dev, false, false)
    }
}

/// bond_option_arp_ip_targets_set(): "+a.b.c.d" / "-a.b.c.d", or an address from netlink.
fn set_arp_target(dev: &BondDev, value: Value<'_>) -> Result {
    let bond = dev.data();
    let (add, target) = match value {
        Value::Number(n) => (true, (n as u32).to_ne_bytes()),
        Value::Text(_) => {
            let t = value.text();
            let parsed = if t.is_empty() { None } else { crate::params::parse_ipv4(&t[1..]) };
            let Some(addr) = parsed else {
                log_bond!(dev, Err, "invalid ARP target specified\n");
                return Err(EPERM);
            };
            match t[0] {
                b'+' => (true, addr),
                b'-' => (false, addr),
                _ => {
                    log_bond!(dev, Err, "no command found in arp_ip_targets file - use +<addr> or -<addr>\n");
                    return Err(EPERM);
                }
            }
        }
        Value::Slave(..) | Value::Ipv6(_) => return Err(EINVAL),
    };
    let ip = Ipv4(target);
    let ok = target != [0; 4] && target != [255; 4];
    let mut s = bond.strings.lock();
    let targets = &mut s.arp_targets;
    let pos = targets.iter().position(|t| *t == target);
    if add {
        if !ok {
            log_bond!(dev, Err, "invalid ARP target {} specified for addition\n", ip);
            return Err(EINVAL);
        }
        if pos.is_some() {
            log_bond!(dev, Err, "ARP target {} is already present\n", ip);
            return Err(EINVAL);
        }
        let Some(free) = targets.iter().position(|t| *t == [0; 4]) else {
            log_bond!(dev, Err, "ARP target table is full!\n");
            return Err(EINVAL);
        };
        // _bond_options_arp_ip_target_set(): the new target was heard from just now.
        let now = kernel::time::jiffies() as usize;
        for sl in bond.slaves(&rcu::read_lock()) {
            sl.target_last_arp_rx[free].store(now, Ordering::Relaxed);
        }
        targets[free] = target;
    } else {
        if !ok {
            log_bond!(dev, Err, "invalid ARP target {} specified for removal\n", ip);
            return Err(EINVAL);
        }
        let Some(i) = pos else {
            log_bond!(dev, Err, "unable to remove nonexistent ARP target {}\n", ip);
            return Err(EINVAL);
        };
        if i == 0 && targets[1] == [0; 4] && bond.params.arp_interval.get() != 0 {
            log_bond!(dev, Warn, "Removing last arp target with arp_interval on\n");
        }
        let mut j = i;
        while j + 1 < targets.len() && targets[j + 1] != [0; 4] {
            targets[j] = targets[j + 1];
            j += 1;
        }
        targets[j] = [0; 4];
        // The slaves' times move with their targets.
        for sl in bond.slaves(&rcu::read_lock()) {
            let rx = &sl.target_last_arp_rx;
            for k in i..j {
                rx[k].store(rx[k + 1].load(Ordering::Relaxed), Ordering::Relaxed);
            }
            rx[j].store(0, Ordering::Relaxed);
        }
    }
    bond.publish_arp_targets(targets);
    Ok(())
}

/// Removes every ARP target (netlink replaces the whole list).
pub(crate) fn clear_arp_targets(dev: &BondDev) {
    dev.data().strings.lock().arp_targets = [[0; 4]; crate::params::MAX_ARP_TARGETS];
    dev.data().publish_arp_targets(&[]);
}

/// An IPv4 address printed as `%pI4` does.
pub(crate) struct Ipv4(pub(crate) [u8; 4]);

impl core::fmt::Display for Ipv4 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let a = self.0;
        write!(f, "{}.{}.{}.{}", a[0], a[1], a[2], a[3])
    }
}

/// dev_valid_name().
pub(crate) fn valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() < 16
        && name != b"."
        && name != b".."
        && !name.iter().any(|&b| b == b'/' || b == b':' || b.is_ascii_whitespace())
}
