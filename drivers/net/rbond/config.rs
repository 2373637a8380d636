// SPDX-License-Identifier: GPL-2.0

//! A bond's option values (C: `struct bond_params`).
//!
//! Numbers are atomics: the transmit and receive paths read them without locks, and the
//! option setters (options.rs) write them with RTNL held. Values that are not numbers (the
//! primary slave's name, ARP targets, the 802.3ad system address) live in [`Strings`],
//! behind the bond's configuration lock.

use crate::options::Mode;
use crate::params::{BondDefaults, MAX_ARP_TARGETS};
use core::sync::atomic::{AtomicU32, Ordering};

/// One numeric option value.
pub(crate) struct Val(AtomicU32);

impl Val {
    const fn new(v: u32) -> Self {
        Self(AtomicU32::new(v))
    }

    /// The current value.
    #[inline]
    pub(crate) fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    /// Changes the value (callers hold RTNL).
    pub(crate) fn set(&self, v: u32) {
        self.0.store(v, Ordering::Relaxed)
    }
}

/// The numeric options of one bond.
pub(crate) struct Params {
    /// Bonding mode, as its number (see [`Params::mode`]).
    pub(crate) mode: Val,
    /// MII monitor interval, milliseconds.
    pub(crate) miimon: Val,
    /// `updelay`, in MII monitor periods.
    pub(crate) updelay: Val,
    /// `downdelay`, in MII monitor periods.
    pub(crate) downdelay: Val,
    /// `peer_notif_delay`, in MII monitor periods.
    pub(crate) peer_notif_delay: Val,
    /// `use_carrier`.
    pub(crate) use_carrier: Val,
    /// ARP monitor interval, milliseconds.
    pub(crate) arp_interval: Val,
    /// `arp_validate`.
    pub(crate) arp_validate: Val,
    /// `arp_all_targets`.
    pub(crate) arp_all_targets: Val,
    /// `arp_missed_max`.
    pub(crate) missed_max: Val,
    /// `primary_reselect`.
    pub(crate) primary_reselect: Val,
    /// `fail_over_mac`.
    pub(crate) fail_over_mac: Val,
    /// `xmit_hash_policy`.
    pub(crate) xmit_policy: Val,
    /// `resend_igmp`.
    pub(crate) resend_igmp: Val,
    /// `num_grat_arp` / `num_unsol_na`.
    pub(crate) num_peer_notif: Val,
    /// `all_slaves_active`.
    pub(crate) all_slaves_active: Val,
    /// `min_links`.
    pub(crate) min_links: Val,
    /// `lp_interval`, seconds.
    pub(crate) lp_interval: Val,
    /// `packets_per_slave`.
    pub(crate) packets_per_slave: Val,
    /// `lacp_active`.
    pub(crate) lacp_active: Val,
    /// `lacp_rate`: 1 for fast.
    pub(crate) lacp_fast: Val,
    /// `ad_select`.
    pub(crate) ad_select: Val,
    /// `tlb_dynamic_lb`.
    pub(crate) tlb_dynamic_lb: Val,
    /// `coupled_control`.
    pub(crate) coupled_control: Val,
    /// `broadcast_neighbor`.
    pub(crate) broadcast_neighbor: Val,
    /// `ad_actor_sys_prio`.
    pub(crate) ad_actor_sys_prio: Val,
    /// `ad_user_port_key`.
    pub(crate) ad_user_port_key: Val,
}

impl Params {
    /// A new bond's options, from the module's defaults.
    pub(crate) fn new(d: &BondDefaults) -> Self {
        let u = |v: i32| v.max(0) as u32;
        Params {
            mode: Val::new(d.mode as u32),
            miimon: Val::new(u(d.miimon)),
            updelay: Val::new(u(d.updelay)),
            downdelay: Val::new(u(d.downdelay)),
            peer_notif_delay: Val::new(0),
            use_carrier: Val::new(u(d.use_carrier)),
            arp_interval: Val::new(u(d.arp_interval)),
            arp_validate: Val::new(d.arp_validate as u32),
            arp_all_targets: Val::new(d.arp_all_targets as u32),
            missed_max: Val::new(2),
            primary_reselect: Val::new(d.primary_reselect as u32),
            fail_over_mac: Val::new(d.fail_over_mac as u32),
            xmit_policy: Val::new(d.xmit_policy as u32),
            resend_igmp: Val::new(u(d.resend_igmp)),
            num_peer_notif: Val::new(u(d.num_peer_notif)),
            all_slaves_active: Val::new(u(d.all_slaves_active)),
            min_links: Val::new(u(d.min_links)),
            lp_interval: Val::new(d.lp_interval),
            packets_per_slave: Val::new(u(d.packets_per_slave)),
            lacp_active: Val::new(1),
            lacp_fast: Val::new(d.lacp_fast as u32),
            ad_select: Val::new(d.ad_select as u32),
            tlb_dynamic_lb: Val::new(d.tlb_dynamic_lb as u32),
            coupled_control: Val::new(1),
            broadcast_neighbor: Val::new(0),
            ad_actor_sys_prio: Val::new(d.ad_actor_sys_prio as u32),
            ad_user_port_key: Val::new(d.ad_user_port_key as u32),
        }
    }

    /// The bonding mode.
    #[inline]
    pub(crate) fn mode(&self) -> Mode {
        Mode::from_value(u64::from(self.mode.get())).unwrap_or(Mode::BalanceRr)
    }
}

/// Option values that are not numbers.
pub(crate) struct Strings {
    /// The `primary` option: a slave name, empty for none.
    pub(crate) primary: [u8; 16],
    /// ARP targets, network byte order; zero entries are unused.
    pub(crate) arp_targets: [[u8; 4]; MAX_ARP_TARGETS],
    /// `ad_actor_system`.
    pub(crate) ad_actor_system: [u8; 6],
}

impl Strings {
    /// A new bond's values, from the module's defaults.
    pub(crate) fn new(d: &BondDefaults) -> Self {
        let mut arp_targets = [[0; 4]; MAX_ARP_TARGETS];
        arp_targets[..d.arp_target_count].copy_from_slice(&d.arp_targets[..d.arp_target_count]);
        Strings {
            primary: d.primary.unwrap_or([0; 16]),
            arp_targets,
            ad_actor_system: [0; 6],
        }
    }

    /// The primary slave's name, empty for none.
    pub(crate) fn primary(&self) -> &[u8] {
        let len = self.primary.iter().position(|&b| b == 0).unwrap_or(16);
        &self.primary[..len]
    }
}
