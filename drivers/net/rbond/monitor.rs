// SPDX-License-Identifier: GPL-2.0

//! Link monitoring: how a bond decides which slaves' links are up, beyond what the slaves'
//! own drivers say.
//!
//! - [`mii`]: the MII monitor (`miimon`, `updelay`, `downdelay`, `use_carrier`), run every
//!   `miimon` ms and at once on a slave's carrier event.
//! - [`arp`]: the ARP monitor (`arp_interval`, `arp_ip_target`, `arp_validate`,
//!   `arp_all_targets`, `arp_missed_max`), which probes targets and counts what comes back.
//! - [`ns`]: its IPv6 half (`ns_ip6_target`), neighbour solicitations sent and validated
//!   alongside the ARP probes.
//!
//! bonding.ko keeps all three in bond_main.c.

pub(crate) mod arp;
pub(crate) mod mii;
pub(crate) mod ns;
