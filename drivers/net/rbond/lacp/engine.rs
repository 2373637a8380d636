// SPDX-License-Identifier: GPL-2.0

//! A bond's 802.3ad state and what the bond asks of it: bond_3ad.c's exported functions
//! (`bond_3ad_bind_slave`, `bond_3ad_unbind_slave`, `bond_3ad_state_machine_handler`, the rx
//! indication, link and speed changes, `bond_3ad_set_carrier`, the option updates).
//!
//! The state holds a port and an aggregator per slave, in slave order, and nothing of the
//! kernel: the slaves are reached through an [`Env`] the driver implements (its flags, its
//! link, sending a LACPDU, the bond's carrier, the log), so the protocol runs the same
//! under KUnit with a simulated wire. The driver holds it under the bond's mode lock.

use super::aggregator::Aggregator;
use super::pdu::Lacpdu;
use super::port::{speed_code, var, Port, RxEvent, SlaveLink};
use kernel::prelude::*;

/// `ad_select`: how the active aggregator is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AdSelect {
    /// The most bandwidth, kept while it has a partner.
    Stable,
    /// The most bandwidth.
    Bandwidth,
    /// The most ports, then the most bandwidth.
    Count,
}

impl AdSelect {
    /// From the option's value (0, 1, 2).
    pub(crate) fn from_value(v: u64) -> Self {
        match v {
            1 => AdSelect::Bandwidth,
            2 => AdSelect::Count,
            _ => AdSelect::Stable,
        }
    }
}

/// The bond options the protocol reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// `ad_select`.
    pub(crate) ad_select: AdSelect,
    /// `coupled_control`: collecting and distributing switch together.
    pub(crate) coupled_control: bool,
    /// `lacp_active`.
    pub(crate) lacp_active: bool,
    /// `lacp_rate fast`.
    pub(crate) lacp_fast: bool,
    /// `min_links`.
    pub(crate) min_links: u32,
    /// `ad_user_port_key`.
    pub(crate) user_port_key: u16,
}

/// The slave flags the protocol sets (include/net/bonding.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flags {
    /// bond_set_slave_active_flags(): transmits and receives.
    Active,
    /// bond_set_slave_inactive_flags(): neither.
    Inactive,
    /// bond_set_slave_tx_disabled_flags(): backup, receive unchanged.
    TxDisabled,
}

/// What bonding.ko logs from bond_3ad.c (the driver prints them in its format).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Log {
    /// slave_err: "An illegal loopback occurred on slave\nCheck the configuration ...".
    Loopback,
    /// slave_err: "Port %d did not find a suitable aggregator".
    NoSuitableAggregator(u16),
    /// slave_err: "speed changed to 0 on port %d".
    SpeedZero(u16),
    /// pr_err_once: "unknown ethtool speed (%d) for port %d (set it to 0)".
    UnknownSpeed(u32, u16),
    /// net_warn_ratelimited (bond): "Warning: No 802.3ad response from the link partner for
    /// any adapters in the bond".
    NoPartnerResponse,
    /// slave_info: "Removing an active aggregator".
    RemovingActiveAggregator,
    /// slave_warn: "unbinding aggregator, and could not find a new aggregator for its ports".
    NoNewAggregator,
}

/// The driver's side: the slaves (by [`Port::key`]), the bond, the log.
pub(crate) trait Env {
    /// The options.
    fn config(&self) -> Config;
    /// The slave's link.
    fn link(&self, key: u32) -> SlaveLink;
    /// bond_is_active_slave().
    fn is_active(&self, key: u32) -> bool;
    /// Sets the slave's flags, telling the stack later (`BOND_SLAVE_NOTIFY_LATER`).
    fn set_flags(&mut self, key: u32, flags: Flags);
    /// Sends `pdu` on the slave; `false` if it could not.
    fn send(&mut self, key: u32, pdu: &Lacpdu) -> bool;
    /// The bond's carrier.
    fn carrier_ok(&self) -> bool;
    /// Switches the bond's carrier.
    fn set_carrier(&mut self, on: bool);
    /// Logs `event`, of the slave `key` or of the bond.
    fn log(&mut self, key: Option<u32>, event: Log);
}

/// A slave's port and aggregator (`struct ad_slave_info`).
#[derive(Clone, Debug)]
pub(crate) struct Member {
    /// The port.
    pub(crate) port: Port,
    /// The aggregator the slave owns.
    pub(crate) agg: Aggregator,
}

/// The active aggregator, as bond_3ad_get_active_agg_info() reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AggInfo {
    /// Its number.
    pub(crate) aggregator_id: u16,
    /// Its ports whose link is up.
    pub(crate) ports: u16,
    /// Its key.
    pub(crate) actor_key: u16,
    /// The partner's key.
    pub(crate) partner_key: u16,
    /// The partner's system.
    pub(crate) partner_system: [u8; 6],
}

/// `AD_AGGREGATOR_SELECTION_TIMER`: the first selection waits 8 s after the first slave.
const AGG_SELECTION_TICKS: u32 = 8 * super::port::TICKS_PER_SEC as u32;

/// A bond's 802.3ad state (`struct ad_bond_info` and the slaves' `ad_slave_info`).
pub(crate) struct Lacp {
    /// Per slave, in slave order.
    pub(crate) members: KVec<Member>,
    /// Ticks until the aggregator selection runs; the mux holds ports back until then.
    pub(crate) agg_select_timer: u32,
    /// The last aggregator number given.
    aggregator_identifier: u16,
    /// The bond's system priority (`ad_actor_sys_prio`).
    pub(crate) system_priority: u16,
    /// The bond's system address (`ad_actor_system`, else the bond's).
    pub(crate) system: [u8; 6],
}

impl Lacp {
    /// No slaves.
    pub(crate) const fn new() -> Self {
        Lacp {
            members: KVec::new(),
            agg_select_timer: 0,
            aggregator_identifier: 0,
            system_priority: 0,
            system: [0; 6],
        }
    }

    /// The member of the slave `key`.
    pub(crate) fn find(&self, key: u32) -> Option<usize> {
        self.members.iter().position(|m| m.port.key == key)
    }

    /// bond_3ad_initialize(), for the first slave: aggregator numbers restart, the system
    /// is set and the first selection is 8 s away.
    pub(crate) fn initialize(&mut self, system_priority: u16, system: [u8; 6]) {
        self.aggregator_identifier = 0;
        self.system_priority = system_priority;
        self.system = system;
        self.agg_select_timer = AGG_SELECTION_TICKS;
    }

    /// bond_3ad_initiate_agg_selection(): selection in `ticks` (bond_open() gives 1).
    pub(crate) fn initiate_agg_selection(&mut self, ticks: u32) {
        self.agg_select_timer = ticks;
    }

    /// bond_3ad_bind_slave(): a port and aggregator for a new last slave `key`, numbered
    /// after the last one (1 for the first), disabled until the machines enable it.
    pub(crate) fn bind(&mut self, key: u32, bond_mac: [u8; 6], env: &mut impl Env) -> Result {
        let cfg = env.config();
        let link = env.link(key);
        let number = self.members.last().map_or(1, |m| m.port.actor_port_number.wrapping_add(1));
        // GFP_ATOMIC: the caller holds the mode lock.
        self.members.reserve(1, GFP_ATOMIC)?;
        let mut port = Port::new(key, number, cfg.lacp_active, cfg.lacp_fast, cfg.user_port_key, &link);
        Self::check_speed(&port, &link, env);
        port.actor_system = self.system;
        port.actor_system_priority = self.system_priority;
        self.aggregator_identifier = self.aggregator_identifier.wrapping_add(1);
        let agg = Aggregator { mac: bond_mac, identifier: self.aggregator_identifier, ..Aggregator::default() };
        // Cannot fail: room was reserved above.
        let _ = self.members.push(Member { port, agg }, GFP_KERNEL);
        self.disable_port(self.members.len() - 1, env);
        Ok(())
    }

    /// pr_err_once() of __get_link_speed() for a speed 802.3ad has no code for.
    fn check_speed(port: &Port, link: &SlaveLink, env: &mut impl Env) {
        if link.up && link.speed != kernel::net::ethtool::SPEED_UNKNOWN && speed_code(link.speed).is_none() {
            env.log(Some(port.key), Log::UnknownSpeed(link.speed, port.actor_port_number));
        }
    }

    /// bond_3ad_unbind_slave(): tells the partner the port no longer aggregates, moves the
    /// other ports of its aggregator to a free one, and forgets the slave.
    pub(crate) fn unbind(&mut self, key: u32, env: &mut impl Env) {
        let Some(me) = self.find(key) else { return };
        {
            use super::port::state::*;
            let port = &mut self.members[me].port;
            port.actor_oper_port_state &= !(SYNCHRONIZATION | COLLECTING | DISTRIBUTING | AGGREGATION);
            let pdu = port.lacpdu();
            env.send(key, &pdu);
        }
        let mut select_new_active = false;
        if let Some(head) = self.members[me].agg.lag_ports {
            let only_me = head == me && self.members[me].port.next_in_aggregator.is_none();
            if !only_me {
                let free = (0..self.members.len()).find(|&i| {
                    let a = &self.members[i].agg;
                    a.lag_ports.is_none()
                        || (a.lag_ports == Some(me) && self.members[me].port.next_in_aggregator.is_none())
                });
                if let Some(new) = free {
                    if self.members[new].agg.lag_ports == Some(me) && self.members[new].agg.is_active {
                        env.log(Some(key), Log::RemovingActiveAggregator);
                        select_new_active = true;
                    }
                    let old = self.members[me].agg.clone();
                    self.members[new].agg.take_over(&old);
                    let id = self.members[new].agg.identifier;
                    let mut p = old.lag_ports;
                    while let Some(i) = p {
                        self.members[i].port.aggregator = Some(new);
                        self.members[i].port.actor_port_aggregator_identifier = id;
                        p = self.members[i].port.next_in_aggregator;
                    }
                    self.members[me].agg.clear();
                    if select_new_active {
                        self.agg_selection(env);
                    }
                } else {
                    env.log(Some(key), Log::NoNewAggregator);
                }
            } else {
                select_new_active = self.members[me].agg.is_active;
                self.members[me].agg.clear();
                if select_new_active {
                    env.log(Some(key), Log::RemovingActiveAggregator);
                    self.agg_selection(env);
                }
            }
        }

        // Take the port off whichever aggregator lists it.
        for a in 0..self.members.len() {
            if self.unlink(a, me) {
                if self.active_ports(a) == 0 {
                    select_new_active = self.members[a].agg.is_active;
                    if self.members[a].agg.num_of_ports == 0 {
                        self.members[a].agg.clear();
                    }
                    if select_new_active {
                        env.log(Some(key), Log::RemovingActiveAggregator);
                        self.agg_selection(env);
                    }
                }
                break;
            }
        }
        self.forget(me);
    }

    /// Takes port `p` off aggregator `a`'s list; `true` if it was on it.
    pub(super) fn unlink(&mut self, a: usize, p: usize) -> bool {
        let mut prev: Option<usize> = None;
        let mut cur = self.members[a].agg.lag_ports;
        while let Some(i) = cur {
            let next = self.members[i].port.next_in_aggregator;
            if i == p {
                match prev {
                    None => self.members[a].agg.lag_ports = next,
                    Some(q) => self.members[q].port.next_in_aggregator = next,
                }
                self.members[a].agg.num_of_ports = self.members[a].agg.num_of_ports.wrapping_sub(1);
                return true;
            }
            prev = cur;
            cur = next;
        }
        false
    }

    /// Removes member `gone`, renumbering the indices that follow it. A port still attached
    /// to its aggregator (C would keep a dangling pointer, after "could not find a new
    /// aggregator") is detached and selects again.
    fn forget(&mut self, gone: usize) {
        let _ = self.members.remove(gone);
        let fix = |x: &mut Option<usize>| match *x {
            Some(i) if i == gone => {
                *x = None;
                true
            }
            Some(i) if i > gone => {
                *x = Some(i - 1);
                false
            }
            _ => false,
        };
        for m in self.members.iter_mut() {
            fix(&mut m.agg.lag_ports);
            fix(&mut m.port.next_in_aggregator);
            if fix(&mut m.port.aggregator) {
                m.port.next_in_aggregator = None;
                m.port.actor_port_aggregator_identifier = 0;
                m.port.sm_vars &= !var::SELECTED;
            }
        }
    }

    /// bond_3ad_state_machine_handler(): one 100 ms tick. Returns `true` if the transmit
    /// array must be rebuilt.
    pub(crate) fn tick(&mut self, env: &mut impl Env) -> bool {
        let mut update_slave_arr = false;
        if self.members.is_empty() {
            return false;
        }
        if self.agg_timer_advance() {
            update_slave_arr |= self.agg_selection(env);
            self.set_carrier(env);
        }
        for i in 0..self.members.len() {
            let key = self.members[i].port.key;
            self.members[i].port.rx_machine(None);
            self.members[i].port.periodic_machine();
            update_slave_arr |= self.port_selection(i, env);
            update_slave_arr |= self.mux_machine(i, env);
            self.members[i].port.tx_machine(|pdu| env.send(key, pdu));
            self.members[i].port.churn_machine();
            self.members[i].port.sm_vars &= !var::BEGIN;
        }
        update_slave_arr
    }

    /// bond_agg_timer_advance(): counts the selection timer down; `true` when it reaches 0.
    fn agg_timer_advance(&mut self) -> bool {
        if self.agg_select_timer == 0 {
            return false;
        }
        self.agg_select_timer -= 1;
        self.agg_select_timer == 0
    }

    /// ad_rx_machine() on a LACPDU received by slave `key` (bond_3ad_rx_indication()).
    pub(crate) fn rx_lacpdu(&mut self, key: u32, pdu: &Lacpdu, env: &mut impl Env) {
        let Some(i) = self.find(key) else { return };
        if self.members[i].port.rx_machine(Some(pdu)) == RxEvent::Loopback {
            env.log(Some(key), Log::Loopback);
        }
    }

    /// bond_3ad_handle_link_change(): the port follows the slave's link, its key too, and
    /// the active aggregator is chosen again. The caller rebuilds the transmit array.
    pub(crate) fn link_change(&mut self, key: u32, up: bool, env: &mut impl Env) {
        let Some(i) = self.find(key) else { return };
        let link = env.link(key);
        let port = &mut self.members[i].port;
        port.is_enabled = up;
        if !up {
            // The MII monitor set the slave's inactive flags before telling us (C's
            // bond_set_slave_inactive_flags() marks `rx_disabled` in 802.3ad).
            port.rx_disabled = true;
        }
        if up {
            Self::check_speed(port, &link, env);
        }
        let port = &mut self.members[i].port;
        if port.update_actor_keys(!up, &link) {
            let number = port.actor_port_number;
            env.log(Some(key), Log::SpeedZero(number));
        }
        self.agg_selection(env);
    }

    /// bond_3ad_adapter_speed_duplex_changed(): a new key from the slave's speed and duplex.
    pub(crate) fn speed_duplex_changed(&mut self, key: u32, env: &mut impl Env) {
        let Some(i) = self.find(key) else { return };
        let link = env.link(key);
        Self::check_speed(&self.members[i].port, &link, env);
        let port = &mut self.members[i].port;
        if port.update_actor_keys(false, &link) {
            let number = port.actor_port_number;
            env.log(Some(key), Log::SpeedZero(number));
        }
    }

    /// bond_3ad_update_ad_actor_settings(): a new system or port priority, sent at once.
    pub(crate) fn update_actor_settings(&mut self, system_priority: u16, system: [u8; 6]) {
        self.system_priority = system_priority;
        self.system = system;
        for m in self.members.iter_mut() {
            m.port.actor_system = system;
            m.port.actor_system_priority = system_priority;
            m.port.ntt = true;
        }
    }

    /// Slave `key`'s `actor_port_prio` (the port takes it with the next
    /// [`Lacp::update_actor_settings`], as in C).
    pub(crate) fn set_port_priority(&mut self, key: u32, prio: u16) {
        if let Some(i) = self.find(key) {
            self.members[i].port.actor_port_priority = prio;
        }
    }

    /// bond_3ad_update_lacp_rate(): the timeout we ask of partners.
    pub(crate) fn update_lacp_rate(&mut self, fast: bool) {
        for m in self.members.iter_mut() {
            m.port.set_actor_bits(super::port::state::LACP_TIMEOUT, fast);
        }
    }

    /// bond_3ad_update_lacp_active(): active or passive.
    pub(crate) fn update_lacp_active(&mut self, active: bool) {
        for m in self.members.iter_mut() {
            m.port.set_actor_bits(super::port::state::LACP_ACTIVITY, active);
        }
    }

    /// The active aggregator, the first in slave order (`__get_active_agg()`).
    pub(crate) fn active_agg(&self) -> Option<usize> {
        self.members.iter().position(|m| m.agg.is_active)
    }

    /// Aggregator `a`'s ports whose link is up (`__agg_active_ports()`).
    pub(crate) fn active_ports(&self, a: usize) -> u16 {
        let mut n = 0;
        let mut p = self.members[a].agg.lag_ports;
        while let Some(i) = p {
            n += u16::from(self.members[i].port.is_enabled);
            p = self.members[i].port.next_in_aggregator;
        }
        n
    }

    /// bond_3ad_set_carrier(): carrier while the active aggregator has `min_links` ports up.
    pub(crate) fn set_carrier(&self, env: &mut impl Env) {
        if self.members.is_empty() {
            return;
        }
        let want = match self.active_agg() {
            Some(a) => u32::from(self.active_ports(a)) >= env.config().min_links,
            None => false,
        };
        if want != env.carrier_ok() {
            env.set_carrier(want);
        }
    }

    /// __bond_3ad_get_active_agg_info(): the active aggregator of the first port attached
    /// to one.
    pub(crate) fn active_agg_info(&self) -> Option<AggInfo> {
        let a = self
            .members
            .iter()
            .filter_map(|m| m.port.aggregator)
            .find(|&a| self.members[a].agg.is_active)?;
        let agg = &self.members[a].agg;
        Some(AggInfo {
            aggregator_id: agg.identifier,
            ports: self.active_ports(a),
            actor_key: agg.actor_oper_key,
            partner_key: agg.partner_oper_key,
            partner_system: agg.partner_system,
        })
    }

    /// The aggregator number slave `key`'s port is attached to.
    pub(crate) fn aggregator_of(&self, key: u32) -> Option<u16> {
        let i = self.find(key)?;
        self.members[i].port.aggregator.map(|a| self.members[a].agg.identifier)
    }

    /// __disable_port(): neither collecting nor distributing.
    pub(super) fn disable_port(&mut self, i: usize, env: &mut impl Env) {
        self.members[i].port.rx_disabled = true;
        env.set_flags(self.members[i].port.key, Flags::Inactive);
    }

    /// __enable_port(): collecting and distributing, if the slave's link is up.
    pub(super) fn enable_port(&mut self, i: usize, env: &mut impl Env) {
        let key = self.members[i].port.key;
        let link = env.link(key);
        if link.up && link.running {
            self.members[i].port.rx_disabled = false;
            env.set_flags(key, Flags::Active);
        }
    }
}
