// SPDX-License-Identifier: GPL-2.0

//! One port's own machines, as bond_3ad.c runs them: receive (`ad_rx_machine`, IEEE
//! 802.1AX-2014 6.4.12), periodic transmission (`ad_periodic_machine`, 6.4.13), transmit with
//! bonding.ko's limit of 3 LACPDUs a second (`ad_tx_machine`, 6.4.16), churn detection
//! (`ad_churn_machine`, 6.4.17), and the operational key from speed, duplex and
//! `ad_user_port_key` (`ad_update_actor_keys`).
//!
//! The machines that need the port's aggregator and the other ports (selection, mux) are in
//! selection.rs and mux.rs. Time is counted in ticks of the 100 ms state machine work.

use super::pdu::{Lacpdu, PortInfo};

/// Runs of the state machine work in a second (`ad_ticks_per_sec`; `AD_TIMER_INTERVAL` is
/// 100 ms).
pub(crate) const TICKS_PER_SEC: u16 = 10;

/// The LACP port state bits of an actor or partner state octet (`LACP_STATE_*`,
/// include/uapi/linux/if_bonding.h).
pub(crate) mod state {
    /// Active LACP (sends LACPDUs unprompted).
    pub(crate) const LACP_ACTIVITY: u8 = 0x1;
    /// Short timeout: wants LACPDUs every second.
    pub(crate) const LACP_TIMEOUT: u8 = 0x2;
    /// Aggregatable.
    pub(crate) const AGGREGATION: u8 = 0x4;
    /// In sync with its aggregator.
    pub(crate) const SYNCHRONIZATION: u8 = 0x8;
    /// Collecting.
    pub(crate) const COLLECTING: u8 = 0x10;
    /// Distributing.
    pub(crate) const DISTRIBUTING: u8 = 0x20;
    /// The partner information is the administrative default.
    pub(crate) const DEFAULTED: u8 = 0x40;
    /// The receive machine is in EXPIRED.
    pub(crate) const EXPIRED: u8 = 0x80;
}

/// The state machines' private variables (`AD_PORT_*`, bond_3ad.c).
pub(crate) mod var {
    /// The port (re)starts: every machine goes to its initial state.
    pub(crate) const BEGIN: u16 = 0x1;
    /// LACP runs on the port (it is full duplex).
    pub(crate) const LACP_ENABLED: u16 = 0x2;
    /// Actor churn seen (set with [`PARTNER_CHURN`] as [`CHURNED`]).
    pub(crate) const ACTOR_CHURN: u16 = 0x4;
    /// Partner churn seen.
    pub(crate) const PARTNER_CHURN: u16 = 0x8;
    /// Every port of the aggregator has waited out its wait-while timer.
    pub(crate) const READY: u16 = 0x10;
    /// This port has waited out its wait-while timer.
    pub(crate) const READY_N: u16 = 0x20;
    /// The partner's view of us matches ours.
    pub(crate) const MATCHED: u16 = 0x40;
    /// Selected but held back (never set by bonding.ko).
    pub(crate) const STANDBY: u16 = 0x80;
    /// The port has an aggregator that suits it.
    pub(crate) const SELECTED: u16 = 0x100;
    /// The churn machines restart.
    pub(crate) const CHURNED: u16 = ACTOR_CHURN | PARTNER_CHURN;
}

/// The duplex bit of a port key (`AD_DUPLEX_KEY_MASKS`).
pub(crate) const DUPLEX_KEY: u16 = 0x1;
/// The speed bits of a port key (`AD_SPEED_KEY_MASKS`).
const SPEED_KEY: u16 = 0x3e;

/// Receive machine states (`rx_states_t`; the numbers are what bonding.ko shows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum RxState {
    /// Before the first run.
    Dummy = 0,
    /// (Re)starting.
    Initialize,
    /// The port is disabled.
    PortDisabled,
    /// LACP is off (half duplex): the port aggregates alone.
    LacpDisabled,
    /// No LACPDU for a timeout: waiting a short timeout more.
    Expired,
    /// No partner: the partner information is the default.
    Defaulted,
    /// The partner's LACPDUs arrive.
    Current,
}

/// Periodic transmission machine states (`periodic_states_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum PeriodicState {
    /// Before the first run.
    Dummy = 0,
    /// No periodic LACPDUs.
    NoPeriodic,
    /// One a second.
    Fast,
    /// One every 30 seconds.
    Slow,
    /// Time to send one.
    Tx,
}

/// Mux machine states (`mux_states_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum MuxState {
    /// Before the first run.
    Dummy = 0,
    /// Not attached to an aggregator.
    Detached,
    /// Selected, waiting out the wait-while timer.
    Waiting,
    /// Attached, neither collecting nor distributing.
    Attached,
    /// Collecting only (independent control).
    Collecting,
    /// Collecting and distributing (independent control).
    Distributing,
    /// Collecting and distributing (coupled control).
    CollectingDistributing,
}

/// Churn detection states (`churn_state_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum ChurnState {
    /// Watching for churn.
    Monitor = 0,
    /// Churn detected: not in sync when the churn timer ran out.
    Churn,
    /// In sync when the churn timer ran out.
    NoChurn,
}

impl ChurnState {
    /// bond_3ad_churn_desc(): the text /proc shows.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ChurnState::Monitor => "monitoring",
            ChurnState::Churn => "churned",
            ChurnState::NoChurn => "none",
        }
    }
}

/// What the port's machines need to know of its slave (C reads the slave directly).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SlaveLink {
    /// `slave->link == BOND_LINK_UP`.
    pub(crate) up: bool,
    /// bond_slave_is_up(): the device is running and has carrier.
    pub(crate) running: bool,
    /// `slave->speed` in Mb/s (`SPEED_UNKNOWN` if unknown).
    pub(crate) speed: u32,
    /// `slave->duplex` (`DUPLEX_FULL` is 1).
    pub(crate) duplex: u8,
}

impl SlaveLink {
    /// __get_link_speed(): the speed code of the key, 0 if the link is not up or the speed
    /// is not one 802.3ad knows (C logs the latter once; [`speed_code`] says which).
    pub(crate) fn speed_code(&self) -> u16 {
        if self.up {
            speed_code(self.speed).unwrap_or(0)
        } else {
            0
        }
    }

    /// __get_duplex(): 1 if the link is up and full duplex.
    pub(crate) fn duplex_bit(&self) -> u16 {
        u16::from(self.up && self.duplex == 1)
    }
}

/// The speeds 802.3ad knows, in the order of their codes (`enum ad_link_speed_type`: 1 Mb/s
/// is code 1, 10 Mb/s code 2...). Code 1 has no ethtool speed.
const SPEEDS: [u32; 17] = [
    1, 10, 100, 1000, 2500, 5000, 10000, 14000, 20000, 25000, 40000, 50000, 56000, 100000, 200000,
    400000, 800000,
];

/// The key code of an ethtool speed, `None` if 802.3ad has none for it.
pub(crate) fn speed_code(speed: u32) -> Option<u16> {
    SPEEDS[1..].iter().position(|&s| s == speed).map(|i| i as u16 + 2)
}

/// __get_agg_bandwidth()'s Mb/s of one port of a speed code (0 for none).
pub(crate) fn code_bandwidth(code: u16) -> u32 {
    match code {
        1..=17 => SPEEDS[usize::from(code) - 1],
        _ => 0,
    }
}

/// `__ad_timer_to_ticks()` of the timers.
const SHORT_TIMEOUT_TICKS: u16 = 3 * TICKS_PER_SEC;
const LONG_TIMEOUT_TICKS: u16 = 90 * TICKS_PER_SEC;
const FAST_PERIODIC_TICKS: u16 = TICKS_PER_SEC;
const SLOW_PERIODIC_TICKS: u16 = 30 * TICKS_PER_SEC;
const CHURN_DETECTION_TICKS: u16 = 60 * TICKS_PER_SEC;
/// The wait-while timer of the mux machine (`AD_AGGREGATE_WAIT_TIME`, 2 s).
pub(crate) const AGGREGATE_WAIT_TICKS: u16 = 2 * TICKS_PER_SEC;
/// The transmit machine's spacing: at most 3 LACPDUs a second (`AD_MAX_TX_IN_SECOND`).
pub(crate) const TX_SPACING_TICKS: u16 = TICKS_PER_SEC / 3;

/// The administrative partner (`ad_initialize_port()`'s template): what a port without a
/// partner records.
const DEFAULT_PARTNER: PortInfo = PortInfo {
    system_priority: 0xffff,
    system: [0; 6],
    key: 1,
    port_priority: 0xff,
    port: 1,
    state: 0,
};

/// What the receive machine saw that bonding.ko logs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RxEvent {
    /// Nothing to tell.
    None,
    /// A LACPDU carried our own system as its actor: the port is looped back.
    Loopback,
}

/// One port: C's `struct port` (bond_3ad.h), less its pointers.
#[derive(Clone, Debug)]
pub(crate) struct Port {
    /// The slave's ifindex: how the driver finds the slave again.
    pub(crate) key: u32,
    /// Port number (`SLAVE_AD_INFO(slave)->id`).
    pub(crate) actor_port_number: u16,
    /// Port priority (`actor_port_prio`).
    pub(crate) actor_port_priority: u16,
    /// The bond's system address.
    pub(crate) actor_system: [u8; 6],
    /// The bond's system priority.
    pub(crate) actor_system_priority: u16,
    /// The id of the aggregator the port is attached to, 0 if none.
    pub(crate) actor_port_aggregator_identifier: u16,
    /// Need To Transmit.
    pub(crate) ntt: bool,
    /// Administrative key.
    pub(crate) actor_admin_port_key: u16,
    /// Operational key.
    pub(crate) actor_oper_port_key: u16,
    /// Operational state, the actor state of our LACPDUs.
    pub(crate) actor_oper_port_state: u8,
    /// The partner of a port without one.
    pub(crate) partner_admin: PortInfo,
    /// The partner, as its LACPDUs tell.
    pub(crate) partner_oper: PortInfo,
    /// The link is up (`port->is_enabled`).
    pub(crate) is_enabled: bool,
    /// The [`var`] bits.
    pub(crate) sm_vars: u16,
    /// Receive machine.
    pub(crate) sm_rx_state: RxState,
    pub(crate) sm_rx_timer_counter: u16,
    /// Periodic machine.
    pub(crate) sm_periodic_state: PeriodicState,
    pub(crate) sm_periodic_timer_counter: u16,
    /// Mux machine.
    pub(crate) sm_mux_state: MuxState,
    pub(crate) sm_mux_timer_counter: u16,
    /// Transmit machine.
    pub(crate) sm_tx_timer_counter: u16,
    /// Churn machines.
    pub(crate) sm_churn_actor_timer_counter: u16,
    pub(crate) sm_churn_partner_timer_counter: u16,
    pub(crate) sm_churn_actor_state: ChurnState,
    pub(crate) sm_churn_partner_state: ChurnState,
    /// Times actor churn was detected.
    pub(crate) churn_actor_count: u32,
    /// Times partner churn was detected.
    pub(crate) churn_partner_count: u32,
    /// `slave->rx_disabled`: the mux machine's record that collecting is off.
    pub(crate) rx_disabled: bool,
    /// The index (in slave order) of the slave whose aggregator the port is attached to.
    pub(crate) aggregator: Option<usize>,
    /// The next port of that aggregator's list (`next_port_in_aggregator`).
    pub(crate) next_in_aggregator: Option<usize>,
}

impl Port {
    /// bond_3ad_bind_slave()'s new port (ad_initialize_port() and what follows it): number
    /// `number`, BEGIN, the key from `link` and `user_port_key`, the bond's system.
    pub(crate) fn new(key: u32, number: u16, lacp_active: bool, lacp_fast: bool, user_port_key: u16, link: &SlaveLink) -> Self {
        let mut state = state::AGGREGATION;
        if lacp_active {
            state |= state::LACP_ACTIVITY;
        }
        if lacp_fast {
            state |= state::LACP_TIMEOUT;
        }
        let mut port = Port {
            key,
            actor_port_number: number,
            actor_port_priority: 0xff,
            actor_system: [0; 6],
            actor_system_priority: 0,
            actor_port_aggregator_identifier: 0,
            ntt: false,
            actor_admin_port_key: user_port_key << 6,
            actor_oper_port_key: 0,
            actor_oper_port_state: state,
            partner_admin: DEFAULT_PARTNER,
            partner_oper: DEFAULT_PARTNER,
            is_enabled: true,
            sm_vars: var::BEGIN | var::LACP_ENABLED,
            sm_rx_state: RxState::Dummy,
            sm_rx_timer_counter: 0,
            sm_periodic_state: PeriodicState::Dummy,
            sm_periodic_timer_counter: 0,
            sm_mux_state: MuxState::Dummy,
            sm_mux_timer_counter: 0,
            sm_tx_timer_counter: TX_SPACING_TICKS,
            sm_churn_actor_timer_counter: 0,
            sm_churn_partner_timer_counter: 0,
            sm_churn_actor_state: ChurnState::Monitor,
            sm_churn_partner_state: ChurnState::Monitor,
            churn_actor_count: 0,
            churn_partner_count: 0,
            rx_disabled: true,
            aggregator: None,
            next_in_aggregator: None,
        };
        port.update_actor_keys(false, link);
        port
    }

    /// `true` if every bit of `v` ([`var`]) is set.
    #[inline]
    pub(crate) fn has(&self, v: u16) -> bool {
        self.sm_vars & v == v
    }

    fn set(&mut self, v: u16, on: bool) {
        if on {
            self.sm_vars |= v;
        } else {
            self.sm_vars &= !v;
        }
    }

    /// Sets or clears `bits` of our state.
    pub(crate) fn set_actor_bits(&mut self, bits: u8, on: bool) {
        if on {
            self.actor_oper_port_state |= bits;
        } else {
            self.actor_oper_port_state &= !bits;
        }
    }

    /// `true` if the partner's state has `bits`.
    #[inline]
    pub(crate) fn partner_has(&self, bits: u8) -> bool {
        self.partner_oper.state & bits == bits
    }

    /// `true` if our state has `bits`.
    #[inline]
    pub(crate) fn actor_has(&self, bits: u8) -> bool {
        self.actor_oper_port_state & bits == bits
    }

    /// Our information as a LACPDU carries it.
    pub(crate) fn actor_info(&self) -> PortInfo {
        PortInfo {
            system_priority: self.actor_system_priority,
            system: self.actor_system,
            key: self.actor_oper_port_key,
            port_priority: self.actor_port_priority,
            port: self.actor_port_number,
            state: self.actor_oper_port_state,
        }
    }

    /// __update_lacpdu_from_port(): the LACPDU the port sends now.
    pub(crate) fn lacpdu(&self) -> Lacpdu {
        Lacpdu { actor: self.actor_info(), partner: self.partner_oper }
    }

    /// ad_update_actor_keys(): the key from the link's speed and duplex, or with `reset`
    /// (link down) without them. A new key with full duplex enables LACP, without disables
    /// it; a new speed restarts the machines (BEGIN). Returns `true` where C logs "speed
    /// changed to 0".
    pub(crate) fn update_actor_keys(&mut self, reset: bool, link: &SlaveLink) -> bool {
        let old = self.actor_oper_port_key;
        self.actor_admin_port_key &= !(SPEED_KEY | DUPLEX_KEY);
        let (mut speed, mut duplex) = (0, 0);
        if !reset {
            speed = link.speed_code();
            duplex = link.duplex_bit();
            self.actor_admin_port_key |= (speed << 1) | duplex;
        }
        self.actor_oper_port_key = self.actor_admin_port_key;
        if old == self.actor_oper_port_key {
            return false;
        }
        self.set(var::LACP_ENABLED, duplex != 0);
        if reset {
            return false;
        }
        if speed == 0 {
            return true;
        }
        let old_speed = (old & SPEED_KEY) >> 1;
        if duplex != 0 && old_speed != speed {
            self.sm_vars |= var::BEGIN;
        }
        false
    }

    /// ad_rx_machine(): one run, on a received LACPDU (`pdu`) or a tick (`None`).
    pub(crate) fn rx_machine(&mut self, pdu: Option<&Lacpdu>) -> RxEvent {
        let last = self.sm_rx_state;
        if self.has(var::BEGIN) {
            self.sm_rx_state = RxState::Initialize;
            self.sm_vars |= var::CHURNED;
        } else if !self.is_enabled {
            self.sm_rx_state = RxState::PortDisabled;
        } else if pdu.is_some()
            && matches!(self.sm_rx_state, RxState::Expired | RxState::Defaulted | RxState::Current)
        {
            if self.sm_rx_state != RxState::Current {
                self.sm_vars |= var::CHURNED;
            }
            self.sm_rx_timer_counter = 0;
            self.sm_rx_state = RxState::Current;
        } else {
            let expired = self.sm_rx_timer_counter != 0 && {
                self.sm_rx_timer_counter -= 1;
                self.sm_rx_timer_counter == 0
            };
            if expired {
                match self.sm_rx_state {
                    RxState::Expired => self.sm_rx_state = RxState::Defaulted,
                    RxState::Current => self.sm_rx_state = RxState::Expired,
                    _ => {}
                }
            } else if self.sm_rx_state == RxState::PortDisabled && self.is_enabled {
                self.sm_rx_state = if self.has(var::LACP_ENABLED) {
                    RxState::Expired
                } else {
                    RxState::LacpDisabled
                };
            }
        }

        if self.sm_rx_state == last && pdu.is_none() {
            return RxEvent::None;
        }
        match self.sm_rx_state {
            RxState::Initialize | RxState::PortDisabled => {
                if self.sm_rx_state == RxState::Initialize {
                    let full_duplex = self.actor_oper_port_key & DUPLEX_KEY != 0;
                    self.set(var::LACP_ENABLED, full_duplex);
                    self.sm_vars &= !var::SELECTED;
                    self.record_default();
                    self.set_actor_bits(state::EXPIRED, false);
                    self.sm_rx_state = RxState::PortDisabled;
                }
                self.sm_vars &= !var::MATCHED;
                self.partner_oper.state &= !state::SYNCHRONIZATION;
            }
            RxState::LacpDisabled => {
                self.sm_vars &= !var::SELECTED;
                self.record_default();
                self.partner_oper.state &= !state::AGGREGATION;
                self.sm_vars |= var::MATCHED;
                self.set_actor_bits(state::EXPIRED, false);
            }
            RxState::Expired => {
                // 802.1AX-2014 figure 6-18: the partner is out of sync and asked for short
                // timeouts, while we wait a short timeout more.
                self.sm_vars &= !var::MATCHED;
                self.partner_oper.state &= !state::SYNCHRONIZATION;
                self.partner_oper.state |= state::LACP_TIMEOUT;
                self.sm_rx_timer_counter = SHORT_TIMEOUT_TICKS;
                self.set_actor_bits(state::EXPIRED, true);
                self.sm_vars |= var::CHURNED;
            }
            RxState::Defaulted => {
                self.update_default_selected();
                self.record_default();
                self.sm_vars |= var::MATCHED;
                self.set_actor_bits(state::EXPIRED, false);
            }
            RxState::Current => {
                let Some(pdu) = pdu else { return RxEvent::None };
                if pdu.actor.system == self.actor_system {
                    return RxEvent::Loopback;
                }
                self.update_selected(pdu);
                self.update_ntt(pdu);
                self.record_pdu(pdu);
                self.sm_rx_timer_counter = if self.actor_has(state::LACP_TIMEOUT) {
                    SHORT_TIMEOUT_TICKS
                } else {
                    LONG_TIMEOUT_TICKS
                };
                self.set_actor_bits(state::EXPIRED, false);
            }
            RxState::Dummy => {}
        }
        RxEvent::None
    }

    /// `true` if the PDU's partner fields are us (`__choose_matched()`, less its
    /// individual-link case, and `__update_ntt()`'s first five comparisons).
    fn pdu_partner_is_us(&self, pdu: &Lacpdu) -> bool {
        let p = &pdu.partner;
        p.port == self.actor_port_number
            && p.port_priority == self.actor_port_priority
            && p.system == self.actor_system
            && p.system_priority == self.actor_system_priority
            && p.key == self.actor_oper_port_key
    }

    /// __record_pdu(): the PDU's actor becomes our partner; DEFAULTED off; the partner is in
    /// sync only if matched and the PDU says so.
    fn record_pdu(&mut self, pdu: &Lacpdu) {
        const AGG: u8 = state::AGGREGATION;
        let matched = (self.pdu_partner_is_us(pdu)
            && pdu.partner.state & AGG == self.actor_oper_port_state & AGG)
            || pdu.actor.state & AGG == 0;
        self.set(var::MATCHED, matched);
        self.partner_oper = pdu.actor;
        self.set_actor_bits(state::DEFAULTED, false);
        if matched && pdu.actor.state & state::SYNCHRONIZATION != 0 {
            self.partner_oper.state |= state::SYNCHRONIZATION;
        } else {
            self.partner_oper.state &= !state::SYNCHRONIZATION;
        }
    }

    /// __record_default(): the administrative partner; DEFAULTED on.
    fn record_default(&mut self) {
        self.partner_oper = self.partner_admin;
        self.set_actor_bits(state::DEFAULTED, true);
    }

    /// `true` if `a` and `b` name a different partner port (the comparisons of
    /// `__update_selected()` and `__update_default_selected()`).
    fn other_partner(a: &PortInfo, b: &PortInfo) -> bool {
        a.port != b.port
            || a.port_priority != b.port_priority
            || a.system != b.system
            || a.system_priority != b.system_priority
            || a.key != b.key
            || a.state & state::AGGREGATION != b.state & state::AGGREGATION
    }

    /// __update_selected(): a PDU from another partner port unselects the port.
    fn update_selected(&mut self, pdu: &Lacpdu) {
        if Self::other_partner(&pdu.actor, &self.partner_oper) {
            self.sm_vars &= !var::SELECTED;
        }
    }

    /// __update_default_selected(): a recorded partner other than the default unselects it.
    fn update_default_selected(&mut self) {
        if Self::other_partner(&self.partner_admin, &self.partner_oper) {
            self.sm_vars &= !var::SELECTED;
        }
    }

    /// __update_ntt(): a PDU whose view of us is out of date makes us send.
    fn update_ntt(&mut self, pdu: &Lacpdu) {
        const BITS: u8 = state::LACP_ACTIVITY
            | state::LACP_TIMEOUT
            | state::SYNCHRONIZATION
            | state::AGGREGATION;
        if !self.pdu_partner_is_us(pdu) || pdu.partner.state & BITS != self.actor_oper_port_state & BITS {
            self.ntt = true;
        }
    }

    /// ad_periodic_machine(): sets NTT every periodic time, fast or slow as the partner
    /// asks; nothing while neither side is active or LACP is off.
    pub(crate) fn periodic_machine(&mut self) {
        let last = self.sm_periodic_state;
        let both_passive =
            !self.actor_has(state::LACP_ACTIVITY) && !self.partner_has(state::LACP_ACTIVITY);
        if self.has(var::BEGIN) || !self.has(var::LACP_ENABLED) || !self.is_enabled || both_passive {
            self.sm_periodic_state = PeriodicState::NoPeriodic;
        } else if self.sm_periodic_timer_counter != 0 {
            self.sm_periodic_timer_counter -= 1;
            let short = self.partner_has(state::LACP_TIMEOUT);
            if self.sm_periodic_timer_counter == 0 {
                self.sm_periodic_state = PeriodicState::Tx;
            } else if self.sm_periodic_state == PeriodicState::Fast && !short {
                self.sm_periodic_state = PeriodicState::Slow;
            } else if self.sm_periodic_state == PeriodicState::Slow && short {
                self.sm_periodic_timer_counter = 0;
                self.sm_periodic_state = PeriodicState::Tx;
            }
        } else {
            match self.sm_periodic_state {
                PeriodicState::NoPeriodic => self.sm_periodic_state = PeriodicState::Fast,
                PeriodicState::Tx => {
                    self.sm_periodic_state = if self.partner_has(state::LACP_TIMEOUT) {
                        PeriodicState::Fast
                    } else {
                        PeriodicState::Slow
                    };
                }
                _ => {}
            }
        }

        if self.sm_periodic_state == last {
            return;
        }
        // The fast and slow timers are one tick short: the PERIODIC_TX run took it.
        match self.sm_periodic_state {
            PeriodicState::NoPeriodic => self.sm_periodic_timer_counter = 0,
            PeriodicState::Fast => self.sm_periodic_timer_counter = FAST_PERIODIC_TICKS - 1,
            PeriodicState::Slow => self.sm_periodic_timer_counter = SLOW_PERIODIC_TICKS - 1,
            PeriodicState::Tx => self.ntt = true,
            PeriodicState::Dummy => {}
        }
    }

    /// ad_tx_machine(): every [`TX_SPACING_TICKS`], sends the LACPDU through `send` if NTT
    /// is set and LACP is on; NTT clears when `send` succeeds.
    pub(crate) fn tx_machine(&mut self, send: impl FnOnce(&Lacpdu) -> bool) {
        if self.sm_tx_timer_counter == 0 {
            return;
        }
        self.sm_tx_timer_counter -= 1;
        if self.sm_tx_timer_counter != 0 {
            return;
        }
        if self.ntt && self.has(var::LACP_ENABLED) && send(&self.lacpdu()) {
            self.ntt = false;
        }
        self.sm_tx_timer_counter = TX_SPACING_TICKS;
    }

    /// ad_churn_machine(): after a churn event both sides are watched for 60 s; a side not
    /// in sync by then has churned.
    pub(crate) fn churn_machine(&mut self) {
        if self.sm_vars & var::CHURNED != 0 {
            self.sm_vars &= !var::CHURNED;
            self.sm_churn_actor_state = ChurnState::Monitor;
            self.sm_churn_partner_state = ChurnState::Monitor;
            self.sm_churn_actor_timer_counter = CHURN_DETECTION_TICKS;
            self.sm_churn_partner_timer_counter = CHURN_DETECTION_TICKS;
            return;
        }
        let actor_sync = self.actor_has(state::SYNCHRONIZATION);
        let partner_sync = self.partner_has(state::SYNCHRONIZATION);
        if Self::churn_timer_ran_out(&mut self.sm_churn_actor_timer_counter, self.sm_churn_actor_state) {
            if actor_sync {
                self.sm_churn_actor_state = ChurnState::NoChurn;
            } else {
                self.churn_actor_count = self.churn_actor_count.wrapping_add(1);
                self.sm_churn_actor_state = ChurnState::Churn;
            }
        }
        if Self::churn_timer_ran_out(&mut self.sm_churn_partner_timer_counter, self.sm_churn_partner_state) {
            if partner_sync {
                self.sm_churn_partner_state = ChurnState::NoChurn;
            } else {
                self.churn_partner_count = self.churn_partner_count.wrapping_add(1);
                self.sm_churn_partner_state = ChurnState::Churn;
            }
        }
    }

    /// Counts a churn timer down; `true` when it reaches 0 while monitoring.
    fn churn_timer_ran_out(counter: &mut u16, state: ChurnState) -> bool {
        if *counter == 0 {
            return false;
        }
        *counter -= 1;
        *counter == 0 && state == ChurnState::Monitor
    }
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_lacp_port)]
mod tests {
    use super::*;

    const GIGABIT_FULL: SlaveLink = SlaveLink { up: true, running: true, speed: 1000, duplex: 1 };

    fn port() -> Port {
        let mut p = Port::new(7, 1, true, true, 0, &GIGABIT_FULL);
        p.actor_system = [0x02, 0, 0, 0, 0, 0x01];
        p.actor_system_priority = 0xffff;
        p
    }

    fn partner_pdu(p: &Port, partner_state: u8) -> Lacpdu {
        Lacpdu {
            actor: PortInfo {
                system_priority: 0x8000,
                system: [0x02, 0, 0, 0, 0, 0x02],
                key: 9,
                port_priority: 0xff,
                port: 1,
                state: partner_state,
            },
            partner: p.actor_info(),
        }
    }

    #[test]
    fn keys_follow_speed_duplex_and_the_user_key() {
        assert_eq!(Port::new(1, 1, true, false, 0, &GIGABIT_FULL).actor_oper_port_key, 9);
        let ten_g = SlaveLink { speed: 10000, ..GIGABIT_FULL };
        assert_eq!(Port::new(1, 1, true, false, 0, &ten_g).actor_oper_port_key, 0x0f);
        assert_eq!(Port::new(1, 1, true, false, 5, &GIGABIT_FULL).actor_oper_port_key, (5 << 6) | 9);
        let half = SlaveLink { duplex: 0, ..GIGABIT_FULL };
        let p = Port::new(1, 1, true, false, 0, &half);
        assert_eq!(p.actor_oper_port_key, 8);
        assert!(!p.has(var::LACP_ENABLED));
        let down = SlaveLink { up: false, ..GIGABIT_FULL };
        assert_eq!(Port::new(1, 1, true, false, 0, &down).actor_oper_port_key, 0);
        assert_eq!(speed_code(800000), Some(17));
        assert_eq!(speed_code(1), None);
        assert_eq!(code_bandwidth(4), 1000);
    }

    #[test]
    fn a_new_speed_restarts_the_port() {
        let mut p = port();
        p.sm_vars &= !var::BEGIN;
        assert!(!p.update_actor_keys(false, &SlaveLink { speed: 10000, ..GIGABIT_FULL }));
        assert!(p.has(var::BEGIN));
        p.sm_vars &= !var::BEGIN;
        // Going down resets the key without restarting; coming back at speed 0 is logged.
        assert!(!p.update_actor_keys(true, &GIGABIT_FULL));
        assert_eq!(p.actor_oper_port_key, 0);
        assert!(!p.has(var::BEGIN) && !p.has(var::LACP_ENABLED));
        assert!(p.update_actor_keys(false, &SlaveLink { speed: 12345, ..GIGABIT_FULL }));
    }

    #[test]
    fn without_a_partner_the_port_expires_then_defaults() {
        let mut p = port();
        assert_eq!(p.rx_machine(None), RxEvent::None);
        assert_eq!(p.sm_rx_state, RxState::PortDisabled);
        assert!(p.actor_has(state::DEFAULTED));
        p.sm_vars &= !var::BEGIN;
        p.rx_machine(None);
        assert_eq!(p.sm_rx_state, RxState::Expired);
        assert!(p.actor_has(state::EXPIRED) && p.partner_has(state::LACP_TIMEOUT));
        for _ in 0..SHORT_TIMEOUT_TICKS - 1 {
            p.rx_machine(None);
            assert_eq!(p.sm_rx_state, RxState::Expired);
        }
        p.rx_machine(None);
        assert_eq!(p.sm_rx_state, RxState::Defaulted);
        assert!(!p.actor_has(state::EXPIRED) && p.actor_has(state::DEFAULTED));
        assert_eq!(p.partner_oper, DEFAULT_PARTNER);
    }

    #[test]
    fn a_partners_lacpdu_is_recorded_and_times_out() {
        let mut p = port();
        p.rx_machine(None);
        p.sm_vars &= !var::BEGIN;
        p.rx_machine(None);
        p.sm_vars |= var::SELECTED;
        let pdu = partner_pdu(&p, state::LACP_ACTIVITY | state::AGGREGATION | state::SYNCHRONIZATION);
        p.rx_machine(Some(&pdu));
        assert_eq!(p.sm_rx_state, RxState::Current);
        assert!(!p.has(var::SELECTED)); // a new partner unselects the port
        assert!(p.has(var::MATCHED) && p.partner_has(state::SYNCHRONIZATION));
        assert_eq!(p.partner_oper.system, pdu.actor.system);
        assert!(!p.actor_has(state::DEFAULTED) && !p.actor_has(state::EXPIRED));
        // Short timeout (lacp_rate fast): 3 s to EXPIRED, 3 s more to DEFAULTED.
        for _ in 0..SHORT_TIMEOUT_TICKS {
            p.rx_machine(None);
        }
        assert_eq!(p.sm_rx_state, RxState::Expired);
        assert!(!p.partner_has(state::SYNCHRONIZATION));
        for _ in 0..SHORT_TIMEOUT_TICKS {
            p.rx_machine(None);
        }
        assert_eq!(p.sm_rx_state, RxState::Defaulted);
    }

    #[test]
    fn a_partner_that_sees_someone_else_is_not_matched() {
        let mut p = port();
        p.rx_machine(None);
        p.sm_vars &= !var::BEGIN;
        p.rx_machine(None);
        let mut pdu = partner_pdu(&p, state::AGGREGATION | state::SYNCHRONIZATION);
        pdu.partner.key = 99;
        p.ntt = false;
        p.rx_machine(Some(&pdu));
        assert!(!p.has(var::MATCHED) && !p.partner_has(state::SYNCHRONIZATION));
        assert!(p.ntt); // the partner's view of us is out of date
        // An individual partner (no AGGREGATION) is matched whatever it says of us.
        pdu.actor.state = state::SYNCHRONIZATION;
        p.rx_machine(Some(&pdu));
        assert!(p.has(var::MATCHED) && p.partner_has(state::SYNCHRONIZATION));
    }

    #[test]
    fn our_own_lacpdu_is_a_loopback() {
        let mut p = port();
        p.rx_machine(None);
        p.sm_vars &= !var::BEGIN;
        p.rx_machine(None);
        let own = p.lacpdu();
        assert_eq!(p.rx_machine(Some(&own)), RxEvent::Loopback);
        assert_eq!(p.partner_oper.system, [0; 6]); // nothing recorded
    }

    #[test]
    fn periodic_transmission_is_fast_or_slow_as_the_partner_asks() {
        let mut p = port();
        p.periodic_machine();
        assert_eq!(p.sm_periodic_state, PeriodicState::NoPeriodic);
        p.sm_vars &= !var::BEGIN;
        p.periodic_machine();
        assert_eq!(p.sm_periodic_state, PeriodicState::Fast);
        let mut sent = 0;
        for _ in 0..40 {
            p.ntt = false;
            p.periodic_machine();
            sent += u32::from(p.ntt);
        }
        // The partner template has a long timeout: the first fast period turns slow.
        assert_eq!(p.sm_periodic_state, PeriodicState::Slow);
        assert_eq!(sent, 0);
        p.partner_oper.state |= state::LACP_TIMEOUT;
        p.periodic_machine();
        assert_eq!(p.sm_periodic_state, PeriodicState::Tx);
        assert!(p.ntt);
        let mut count = 0;
        for _ in 0..100 {
            p.ntt = false;
            p.periodic_machine();
            count += u32::from(p.ntt);
        }
        assert_eq!(count, 10); // one LACPDU a second
    }

    #[test]
    fn passive_ports_wait_for_an_active_partner() {
        let mut p = Port::new(7, 1, false, false, 0, &GIGABIT_FULL);
        p.sm_vars &= !var::BEGIN;
        for _ in 0..5 {
            p.periodic_machine();
            assert_eq!(p.sm_periodic_state, PeriodicState::NoPeriodic);
        }
        p.partner_oper.state |= state::LACP_ACTIVITY;
        p.periodic_machine();
        assert_eq!(p.sm_periodic_state, PeriodicState::Fast);
    }

    #[test]
    fn the_transmit_machine_sends_at_most_three_a_second() {
        let mut p = port();
        let mut sent = 0;
        for _ in 0..TICKS_PER_SEC * 3 {
            p.ntt = true;
            p.tx_machine(|_| {
                sent += 1;
                true
            });
        }
        assert_eq!(sent, 10); // every third tick
        p.ntt = true;
        for _ in 0..TX_SPACING_TICKS {
            p.tx_machine(|_| false);
        }
        assert!(p.ntt); // a failed send keeps NTT
    }

    #[test]
    fn churn_is_counted_when_not_in_sync_after_a_minute() {
        let mut p = port();
        p.sm_vars |= var::CHURNED;
        p.churn_machine();
        assert_eq!(p.sm_churn_actor_timer_counter, CHURN_DETECTION_TICKS);
        p.partner_oper.state |= state::SYNCHRONIZATION;
        for _ in 0..CHURN_DETECTION_TICKS {
            p.churn_machine();
        }
        assert_eq!(p.sm_churn_actor_state, ChurnState::Churn);
        assert_eq!(p.churn_actor_count, 1);
        assert_eq!(p.sm_churn_partner_state, ChurnState::NoChurn);
        assert_eq!(p.churn_partner_count, 0);
        assert_eq!(ChurnState::Churn.name(), "churned");
    }
}
