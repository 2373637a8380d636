// SPDX-License-Identifier: GPL-2.0

//! The mux machine: `ad_mux_machine` of bond_3ad.c (IEEE 802.1AX-2014 6.4.15), with coupled
//! control (COLLECTING_DISTRIBUTING, 802.3ad's figure) and independent control (COLLECTING
//! then DISTRIBUTING, `coupled_control 0`). It attaches a selected port to its aggregator
//! once every port of the aggregator has waited 2 s, and turns collecting and distributing on
//! once the partner is in sync and the aggregator is active. bonding.ko holds every port in
//! ATTACHED until the bond's first aggregator selection has run.

use super::engine::{Env, Flags, Lacp};
use super::port::{state, var, MuxState, AGGREGATE_WAIT_TICKS};

impl Lacp {
    /// `true` if port `i`'s aggregator is the active one.
    fn in_active_agg(&self, i: usize) -> bool {
        self.members[i].port.aggregator.map_or(false, |a| self.members[a].agg.is_active)
    }

    /// `true` if port `i`'s aggregator has a partner.
    fn agg_has_partner(&self, i: usize) -> bool {
        self.members[i].port.aggregator.map_or(false, |a| self.members[a].agg.has_partner())
    }

    /// READY_N off for port `i`, and READY recomputed for its aggregator.
    fn not_ready(&mut self, i: usize) {
        self.members[i].port.sm_vars &= !var::READY_N;
        self.refresh_ready(i);
    }

    /// READY for every port of port `i`'s aggregator, if they all have READY_N.
    fn refresh_ready(&mut self, i: usize) {
        if let Some(a) = self.members[i].port.aggregator {
            let ready = self.agg_ports_ready(a);
            self.set_agg_ports_ready(a, ready);
        }
    }

    /// __port_move_to_attached_state(): back to ATTACHED if no longer selected, or either
    /// side is out of sync.
    fn back_to_attached(&mut self, i: usize) -> bool {
        let port = &mut self.members[i].port;
        if !port.has(var::SELECTED)
            || port.has(var::STANDBY)
            || !port.partner_has(state::SYNCHRONIZATION)
            || !port.actor_has(state::SYNCHRONIZATION)
        {
            port.sm_mux_state = MuxState::Attached;
        }
        port.sm_mux_state == MuxState::Attached
    }

    /// ad_mux_machine() for port `i`. Returns `true` if the transmit array must be rebuilt.
    pub(super) fn mux_machine(&mut self, i: usize, env: &mut impl Env) -> bool {
        let mut update = false;
        let last = self.members[i].port.sm_mux_state;
        let coupled = env.config().coupled_control;
        let active = self.in_active_agg(i);
        let timer_running = self.agg_select_timer != 0;

        if self.members[i].port.has(var::BEGIN) {
            self.members[i].port.sm_mux_state = MuxState::Detached;
        } else {
            match last {
                MuxState::Detached => {
                    let port = &mut self.members[i].port;
                    if port.has(var::SELECTED) || port.has(var::STANDBY) {
                        port.sm_mux_state = MuxState::Waiting;
                    }
                }
                MuxState::Waiting => {
                    if !self.members[i].port.has(var::SELECTED) {
                        self.not_ready(i);
                        self.members[i].port.sm_mux_state = MuxState::Detached;
                    } else {
                        let port = &mut self.members[i].port;
                        if port.sm_mux_timer_counter != 0 {
                            port.sm_mux_timer_counter -= 1;
                            if port.sm_mux_timer_counter == 0 {
                                port.sm_vars |= var::READY_N;
                            }
                        }
                        self.refresh_ready(i);
                        let port = &mut self.members[i].port;
                        if port.has(var::READY) && port.sm_mux_timer_counter == 0 {
                            port.sm_mux_state = MuxState::Attached;
                        }
                    }
                }
                MuxState::Attached => {
                    let port = &self.members[i].port;
                    if port.has(var::SELECTED) && port.partner_has(state::SYNCHRONIZATION) && !timer_running {
                        if active {
                            self.members[i].port.sm_mux_state = if coupled {
                                MuxState::CollectingDistributing
                            } else {
                                MuxState::Collecting
                            };
                        }
                    } else if !port.has(var::SELECTED) || port.has(var::STANDBY) {
                        self.not_ready(i);
                        self.members[i].port.sm_mux_state = MuxState::Detached;
                    } else if active {
                        self.members[i].port.set_actor_bits(state::SYNCHRONIZATION, true);
                    }
                }
                MuxState::CollectingDistributing => {
                    if !self.back_to_attached(i) && active && !env.is_active(self.members[i].port.key) {
                        self.enable_port(i, env);
                        update = true;
                    }
                }
                MuxState::Collecting => {
                    if !self.back_to_attached(i) {
                        let port = &self.members[i].port;
                        if port.has(var::SELECTED)
                            && port.partner_has(state::SYNCHRONIZATION)
                            && port.partner_has(state::COLLECTING)
                        {
                            self.members[i].port.sm_mux_state = MuxState::Distributing;
                        } else if active && port.rx_disabled {
                            self.enable_collecting(i, env);
                            update = true;
                        }
                    }
                }
                MuxState::Distributing => {
                    let port = &mut self.members[i].port;
                    if !port.has(var::SELECTED)
                        || port.has(var::STANDBY)
                        || !port.partner_has(state::COLLECTING)
                        || !port.partner_has(state::SYNCHRONIZATION)
                        || !port.actor_has(state::SYNCHRONIZATION)
                    {
                        port.sm_mux_state = MuxState::Collecting;
                    } else if active && !env.is_active(port.key) {
                        self.enable_port(i, env);
                        update = true;
                    }
                }
                MuxState::Dummy => {}
            }
        }

        let now = self.members[i].port.sm_mux_state;
        if now == last {
            return update;
        }
        use state::{COLLECTING, DISTRIBUTING, SYNCHRONIZATION};
        match now {
            MuxState::Detached => {
                self.members[i].port.set_actor_bits(SYNCHRONIZATION, false);
                update |= self.disable_collecting_distributing(i, env);
                let port = &mut self.members[i].port;
                port.set_actor_bits(COLLECTING | DISTRIBUTING, false);
                port.ntt = true;
            }
            MuxState::Waiting => self.members[i].port.sm_mux_timer_counter = AGGREGATE_WAIT_TICKS,
            MuxState::Attached => {
                let active = self.in_active_agg(i);
                let port = &mut self.members[i].port;
                port.set_actor_bits(SYNCHRONIZATION, active);
                port.set_actor_bits(COLLECTING | DISTRIBUTING, false);
                update |= self.disable_collecting_distributing(i, env);
                self.members[i].port.ntt = true;
            }
            MuxState::CollectingDistributing => {
                let port = &mut self.members[i].port;
                port.set_actor_bits(COLLECTING | DISTRIBUTING | SYNCHRONIZATION, true);
                update |= self.enable_collecting_distributing(i, env);
                self.members[i].port.ntt = true;
            }
            MuxState::Collecting => {
                let port = &mut self.members[i].port;
                port.set_actor_bits(COLLECTING | SYNCHRONIZATION, true);
                port.set_actor_bits(DISTRIBUTING, false);
                self.enable_collecting(i, env);
                update |= self.disable_distributing(i, env);
                self.members[i].port.ntt = true;
            }
            MuxState::Distributing => {
                self.members[i].port.set_actor_bits(DISTRIBUTING | SYNCHRONIZATION, true);
                update |= self.enable_collecting_distributing(i, env);
            }
            MuxState::Dummy => {}
        }
        update
    }

    /// ad_enable_collecting(): receive on, if the aggregator is active and the link up.
    fn enable_collecting(&mut self, i: usize, env: &mut impl Env) {
        if !self.in_active_agg(i) {
            return;
        }
        let port = &mut self.members[i].port;
        let link = env.link(port.key);
        if link.up && link.running {
            port.rx_disabled = false;
        }
    }

    /// ad_disable_distributing(): transmit off, if the aggregator has a partner.
    fn disable_distributing(&mut self, i: usize, env: &mut impl Env) -> bool {
        if !self.agg_has_partner(i) {
            return false;
        }
        env.set_flags(self.members[i].port.key, Flags::TxDisabled);
        true
    }

    /// ad_enable_collecting_distributing(): both on, if the aggregator is active.
    fn enable_collecting_distributing(&mut self, i: usize, env: &mut impl Env) -> bool {
        if !self.in_active_agg(i) {
            return false;
        }
        self.enable_port(i, env);
        true
    }

    /// ad_disable_collecting_distributing(): both off, if the aggregator has a partner.
    fn disable_collecting_distributing(&mut self, i: usize, env: &mut impl Env) -> bool {
        if !self.agg_has_partner(i) {
            return false;
        }
        self.disable_port(i, env);
        true
    }
}
