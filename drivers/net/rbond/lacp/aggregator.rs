// SPDX-License-Identifier: GPL-2.0

//! An aggregator: C's `struct aggregator` (bond_3ad.h). Each slave owns one, as in C; a port
//! attaches to whichever aggregator suits it (selection.rs), so an aggregator may hold the
//! ports of other slaves or none.

/// One aggregator.
#[derive(Clone, Debug, Default)]
pub(crate) struct Aggregator {
    /// The bond's address when the slave was bound.
    pub(crate) mac: [u8; 6],
    /// Its number, unique in the bond (`aggregator_identifier`).
    pub(crate) identifier: u16,
    /// Its ports cannot aggregate (half duplex): they run alone.
    pub(crate) is_individual: bool,
    /// The key of its ports (administrative).
    pub(crate) actor_admin_key: u16,
    /// The key of its ports (operational).
    pub(crate) actor_oper_key: u16,
    /// The partner system of its ports; all zero if they have none.
    pub(crate) partner_system: [u8; 6],
    /// The partner's system priority.
    pub(crate) partner_system_priority: u16,
    /// The partner's key.
    pub(crate) partner_oper_key: u16,
    /// Set while it has ports (`receive_state`, `transmit_state`).
    pub(crate) receive_state: bool,
    pub(crate) transmit_state: bool,
    /// The first of its ports (an index in slave order); the list goes on through each
    /// port's `next_in_aggregator`, newest first.
    pub(crate) lag_ports: Option<usize>,
    /// The bond's active aggregator: its ports carry the traffic.
    pub(crate) is_active: bool,
    /// How many ports it has.
    pub(crate) num_of_ports: u16,
}

impl Aggregator {
    /// `true` if its ports have a partner (`__agg_has_partner()`).
    pub(crate) fn has_partner(&self) -> bool {
        self.partner_system != [0; 6]
    }

    /// ad_clear_agg(): empty, keeping its number and address.
    pub(crate) fn clear(&mut self) {
        *self = Aggregator { mac: self.mac, identifier: self.identifier, ..Aggregator::default() };
    }

    /// Takes over `other`'s partner, keys, ports and activity (bond_3ad_unbind_slave()'s
    /// move of a leaving slave's aggregator), keeping its own number and address.
    pub(crate) fn take_over(&mut self, other: &Aggregator) {
        *self = Aggregator { mac: self.mac, identifier: self.identifier, ..other.clone() };
    }
}
