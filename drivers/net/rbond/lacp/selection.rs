// SPDX-License-Identifier: GPL-2.0

//! Selection: which aggregator a port attaches to (`ad_port_selection_logic`, IEEE
//! 802.1AX-2014 6.4.14), and which aggregator of the bond is active (`ad_agg_selection_logic`
//! and `ad_agg_selection_test`, by `ad_select`).

use super::engine::{AdSelect, Env, Lacp, Log};
use super::port::{code_bandwidth, state, var, DUPLEX_KEY};

impl Lacp {
    /// ad_port_selection_logic(): an unselected port leaves its aggregator and joins one
    /// with the same key and partner (that has a partner and is not individual), else a free
    /// one; then the active aggregator is chosen again. Returns `true` if the transmit array
    /// must be rebuilt.
    pub(super) fn port_selection(&mut self, i: usize, env: &mut impl Env) -> bool {
        if self.members[i].port.has(var::SELECTED) {
            return false;
        }
        if let Some(old) = self.members[i].port.aggregator {
            if self.unlink(old, i) {
                let port = &mut self.members[i].port;
                port.aggregator = None;
                port.next_in_aggregator = None;
                port.actor_port_aggregator_identifier = 0;
                if self.members[old].agg.lag_ports.is_none() {
                    self.members[old].agg.clear();
                }
            }
        }

        let port = &self.members[i].port;
        let mut free = None;
        let mut found = None;
        for (a, m) in self.members.iter().enumerate() {
            let agg = &m.agg;
            if agg.lag_ports.is_none() {
                free = free.or(Some(a));
                continue;
            }
            if agg.actor_oper_key == port.actor_oper_port_key
                && agg.partner_system == port.partner_oper.system
                && agg.partner_system_priority == port.partner_oper.system_priority
                && agg.partner_oper_key == port.partner_oper.key
                && agg.has_partner()
                && !agg.is_individual
            {
                found = Some(a);
                break;
            }
        }

        let a = match (found, free) {
            (Some(a), _) => {
                self.attach(i, a);
                a
            }
            (None, Some(a)) => {
                let port = &self.members[i].port;
                let (key, admin_key, partner) = (port.actor_oper_port_key, port.actor_admin_port_key, port.partner_oper);
                let agg = &mut self.members[a].agg;
                agg.is_individual = key & DUPLEX_KEY == 0;
                agg.actor_admin_key = admin_key;
                agg.actor_oper_key = key;
                agg.partner_system = partner.system;
                agg.partner_system_priority = partner.system_priority;
                agg.partner_oper_key = partner.key;
                agg.receive_state = true;
                agg.transmit_state = true;
                self.attach(i, a);
                a
            }
            (None, None) => {
                let port = &self.members[i].port;
                env.log(Some(port.key), Log::NoSuitableAggregator(port.actor_port_number));
                return false;
            }
        };
        self.members[i].port.sm_vars |= var::SELECTED;
        let ready = self.agg_ports_ready(a);
        self.set_agg_ports_ready(a, ready);
        let update = self.agg_selection(env);
        if !self.members[a].agg.is_active {
            self.members[i].port.set_actor_bits(state::SYNCHRONIZATION, false);
        }
        update
    }

    /// Puts port `i` at the head of aggregator `a`'s list.
    fn attach(&mut self, i: usize, a: usize) {
        let head = self.members[a].agg.lag_ports;
        let id = self.members[a].agg.identifier;
        let port = &mut self.members[i].port;
        port.aggregator = Some(a);
        port.actor_port_aggregator_identifier = id;
        port.next_in_aggregator = head;
        let agg = &mut self.members[a].agg;
        agg.lag_ports = Some(i);
        agg.num_of_ports = agg.num_of_ports.wrapping_add(1);
    }

    /// __agg_ports_are_ready(): every port of aggregator `a` has READY_N.
    pub(super) fn agg_ports_ready(&self, a: usize) -> bool {
        let mut p = self.members[a].agg.lag_ports;
        while let Some(i) = p {
            if !self.members[i].port.has(var::READY_N) {
                return false;
            }
            p = self.members[i].port.next_in_aggregator;
        }
        true
    }

    /// __set_agg_ports_ready(): READY on or off for every port of aggregator `a`.
    pub(super) fn set_agg_ports_ready(&mut self, a: usize, ready: bool) {
        let mut p = self.members[a].agg.lag_ports;
        while let Some(i) = p {
            let port = &mut self.members[i].port;
            if ready {
                port.sm_vars |= var::READY;
            } else {
                port.sm_vars &= !var::READY;
            }
            p = port.next_in_aggregator;
        }
    }

    /// __get_agg_bandwidth(): ports up times the speed of its newest port.
    fn bandwidth(&self, a: usize, env: &impl Env) -> u32 {
        let ports = u32::from(self.active_ports(a));
        let Some(head) = self.members[a].agg.lag_ports else { return 0 };
        if ports == 0 {
            return 0;
        }
        let code = env.link(self.members[head].port.key).speed_code();
        ports.wrapping_mul(code_bandwidth(code))
    }

    /// agg_device_up(): one of aggregator `a`'s slaves is running with carrier.
    fn device_up(&self, a: usize, env: &impl Env) -> bool {
        let mut p = self.members[a].agg.lag_ports;
        while let Some(i) = p {
            if env.link(self.members[i].port.key).running {
                return true;
            }
            p = self.members[i].port.next_in_aggregator;
        }
        false
    }

    /// ad_agg_selection_test(): the better of `best` and `curr`: aggregating over
    /// individual, with a partner over without, then by `ad_select`.
    fn selection_test(&self, best: Option<usize>, curr: usize, env: &impl Env) -> usize {
        let Some(best) = best else { return curr };
        let (b, c) = (&self.members[best].agg, &self.members[curr].agg);
        if b.is_individual != c.is_individual {
            return if c.is_individual { best } else { curr };
        }
        if b.has_partner() != c.has_partner() {
            return if c.has_partner() { curr } else { best };
        }
        if env.config().ad_select == AdSelect::Count {
            let (nc, nb) = (self.active_ports(curr), self.active_ports(best));
            if nc != nb {
                return if nc > nb { curr } else { best };
            }
        }
        if self.bandwidth(curr, env) > self.bandwidth(best, env) {
            curr
        } else {
            best
        }
    }

    /// ad_agg_selection_logic(): chooses the active aggregator among those with a port up
    /// and a device up; with `ad_select stable` the active one stays while it has ports up
    /// and a partner (or neither has one). A new active aggregator disables the old one's
    /// ports; the ports of a partnerless active aggregator are enabled at once. Then the
    /// carrier follows. Returns `true` if the transmit array must be rebuilt.
    pub(super) fn agg_selection(&mut self, env: &mut impl Env) -> bool {
        let mut update = false;
        let active = self.active_agg();
        let mut best = active.filter(|&a| self.device_up(a, env));
        for a in 0..self.members.len() {
            self.members[a].agg.is_active = false;
            if self.active_ports(a) != 0 && self.device_up(a, env) {
                best = Some(self.selection_test(best, a, env));
            }
        }

        if let (Some(b), Some(act)) = (best, active) {
            if env.config().ad_select == AdSelect::Stable {
                let (aa, ba) = (&self.members[act].agg, &self.members[b].agg);
                let keep = aa.lag_ports.is_some()
                    && self.active_ports(act) != 0
                    && (aa.has_partner() || !ba.has_partner());
                if keep && !(aa.actor_oper_key == 0 && ba.actor_oper_key != 0) {
                    best = None;
                    self.members[act].agg.is_active = true;
                }
            }
        }
        if best.is_some() && best == active {
            best = None;
            if let Some(act) = active {
                self.members[act].agg.is_active = true;
            }
        }

        if let Some(b) = best {
            if self.members[b].agg.is_individual {
                env.log(None, Log::NoPartnerResponse);
            }
            self.members[b].agg.is_active = true;
            if let Some(act) = active {
                let mut p = self.members[act].agg.lag_ports;
                while let Some(i) = p {
                    self.disable_port(i, env);
                    p = self.members[i].port.next_in_aggregator;
                }
            }
            update = true;
        }

        if let Some(act) = self.active_agg() {
            if !self.members[act].agg.has_partner() {
                let mut p = self.members[act].agg.lag_ports;
                while let Some(i) = p {
                    self.enable_port(i, env);
                    p = self.members[i].port.next_in_aggregator;
                }
                update = true;
            }
        }
        self.set_carrier(env);
        update
    }
}
