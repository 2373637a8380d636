// SPDX-License-Identifier: GPL-2.0

//! rbond: the Linux bonding driver in Rust.
//!
//! The module: its parameters (the same names, types and defaults as bonding.ko's, listed in
//! `drivers/net/bonding/bond_main.c`), its init, which checks them as `bonding_init()` does and
//! registers the `bond` link type, the per-namespace state and the netdevice notifier, then
//! creates `max_bonds` bonds; and its exit, which undoes all of that.

#![recursion_limit = "512"]

use kernel::module_param::{ModuleParamAccess, ParamString};
use kernel::net::{namespace, notifier, Net, RtnlGuard};
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::c_str;

#[macro_use]
mod log;
mod active;
mod alb;
mod ad;
mod bond;
mod broadcast;
mod config;
mod enslave;
mod events;
mod globals;
mod hash;
mod lacp;
mod modes;
mod monitor;
mod net;
mod netlink;
mod opt_set;
mod options;
mod params;
mod procfs;
mod slave;
mod slave_array;
mod sysfs;
mod xmit;
mod xor;

module! {
    type: Rbond,
    name: "rbond",
    author: "rbond developers",
    description: "Ethernet Channel Bonding Driver, in Rust",
    license: "GPL",
    params: {
        max_bonds: i32 { default: 1, description: "Max number of bonded devices", permissions: 0o444, },
        tx_queues: i32 { default: 16, description: "Max number of transmit queues (default = 16)", permissions: 0o444, },
        num_grat_arp: i32 { default: 1, description: "Number of peer notifications to send on failover event (alias of num_unsol_na)", permissions: 0o644, },
        num_unsol_na: i32 { default: 1, description: "Number of peer notifications to send on failover event (alias of num_grat_arp)", permissions: 0o644, },
        miimon: i32 { default: 0, description: "Link check interval in milliseconds", permissions: 0o444, },
        updelay: i32 { default: 0, description: "Delay before considering link up, in milliseconds", permissions: 0o444, },
        downdelay: i32 { default: 0, description: "Delay before considering link down, in milliseconds", permissions: 0o444, },
        use_carrier: i32 { default: 1, description: "Use netif_carrier_ok (vs MII ioctls) in miimon; 0 for off, 1 for on (default)", permissions: 0o444, },
        mode: str { description: "Mode of operation; 0 for balance-rr, 1 for active-backup, 2 for balance-xor, 3 for broadcast, 4 for 802.3ad, 5 for balance-tlb, 6 for balance-alb", permissions: 0o444, },
        primary: str { description: "Primary network device to use", permissions: 0o444, },
        primary_reselect: str { description: "Reselect primary slave once it comes up; 0 for always (default), 1 for only if speed of primary is better, 2 for only on active slave failure", permissions: 0o444, },
        lacp_rate: str { description: "LACPDU tx rate to request from 802.3ad partner; 0 for slow, 1 for fast", permissions: 0o444, },
        ad_select: str { description: "802.3ad aggregation selection logic; 0 for stable (default), 1 for bandwidth, 2 for count", permissions: 0o444, },
        min_links: i32 { default: 0, description: "Minimum number of available links before turning on carrier", permissions: 0o444, },
        xmit_hash_policy: str { description: "balance-alb, balance-tlb, balance-xor, 802.3ad hashing method; 0 for layer 2 (default), 1 for layer 3+4, 2 for layer 2+3, 3 for encap layer 2+3, 4 for encap layer 3+4, 5 for vlan+srcmac", permissions: 0o444, },
        arp_interval: i32 { default: 0, description: "arp interval in milliseconds", permissions: 0o444, },
        arp_ip_target: [str; 16] { description: "arp targets in n.n.n.n form", permissions: 0o444, },
        arp_validate: str { description: "validate src/dst of ARP probes; 0 for none (default), 1 for active, 2 for backup, 3 for all", permissions: 0o444, },
        arp_all_targets: str { description: "fail on any/all arp targets timeout; 0 for any (default), 1 for all", permissions: 0o444, },
        fail_over_mac: str { description: "For active-backup, do not set all slaves to the same MAC; 0 for none (default), 1 for active, 2 for follow", permissions: 0o444, },
        all_slaves_active: i32 { default: 0, description: "Keep all frames received on an interface by setting active flag for all slaves; 0 for never (default), 1 for always.", permissions: 0o444, },
        resend_igmp: i32 { default: 1, description: "Number of IGMP membership reports to send on link failure", permissions: 0o444, },
        packets_per_slave: i32 { default: 1, description: "Packets to send per slave in balance-rr mode; 0 for a random slave, 1 packet per slave (default), >1 packets per slave.", permissions: 0o444, },
        lp_interval: u32 { default: 1, description: "The number of seconds between instances where the bonding driver sends learning packets to each slaves peer switch. The default is 1.", permissions: 0o444, },
    },
}

/// The loaded module. Dropped in field order after `Drop::drop` retracted the globals: the
/// link type first (deleting every bond, with the notifier still there to clean up after
/// each), then the notifier, then the per-namespace state.
struct Rbond {
    link: Option<globals::BondLink>,
    _events: notifier::Registration<events::Events>,
    _pernet: Arc<namespace::Registration<net::BondNet>>,
}

impl Drop for Rbond {
    fn drop(&mut self) {
        globals::retract();
        drop(self.link.take());
    }
}

/// The kernel log as bond_check_params() writes it: no module name first (bond_main.c has
/// no `pr_fmt`).
struct KernelLog;

impl params::Log for KernelLog {
    fn err(&mut self, args: core::fmt::Arguments<'_>) {
        crate::log_plain!(Err, "{}", args);
    }
    fn warn(&mut self, args: core::fmt::Arguments<'_>) {
        crate::log_plain!(Warn, "{}", args);
    }
    fn info(&mut self, args: core::fmt::Arguments<'_>) {
        crate::log_plain!(Info, "{}", args);
    }
}

/// A copy of a string parameter, taken under the parameter lock.
fn copy_string(param: &ModuleParamAccess<ParamString>) -> Result<Option<KVec<u8>>> {
    param.with(|value| match value.as_bytes() {
        Some(bytes) => {
            let mut copy = KVec::with_capacity(bytes.len(), GFP_KERNEL)?;
            copy.extend_from_slice(bytes, GFP_KERNEL)?;
            Ok(Some(copy))
        }
        None => Ok(None),
    })
}

impl kernel::Module for Rbond {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        use module_parameters as p;

        let mode = copy_string(&p::mode)?;
        let primary = copy_string(&p::primary)?;
        let primary_reselect = copy_string(&p::primary_reselect)?;
        let lacp_rate = copy_string(&p::lacp_rate)?;
        let ad_select = copy_string(&p::ad_select)?;
        let xmit_hash_policy = copy_string(&p::xmit_hash_policy)?;
        let arp_validate = copy_string(&p::arp_validate)?;
        let arp_all_targets = copy_string(&p::arp_all_targets)?;
        let fail_over_mac = copy_string(&p::fail_over_mac)?;
        let mut targets: KVec<KVec<u8>> = KVec::new();
        p::arp_ip_target.with(|given| -> Result {
            for target in given.iter() {
                let mut copy = KVec::with_capacity(target.len(), GFP_KERNEL)?;
                copy.extend_from_slice(target, GFP_KERNEL)?;
                targets.push(copy, GFP_KERNEL)?;
            }
            Ok(())
        })?;
        let mut target_refs: KVec<&[u8]> = KVec::with_capacity(targets.len(), GFP_KERNEL)?;
        for target in targets.iter() {
            target_refs.push(target, GFP_KERNEL)?;
        }

        // num_grat_arp and num_unsol_na are one variable in bonding.ko: the last one set wins.
        // Either differing from its default is taken.
        let num_peer_notif = match (p::num_grat_arp.value(), p::num_unsol_na.value()) {
            (1, unsol) => unsol,
            (grat, _) => grat,
        };

        let raw = params::RawParams {
            max_bonds: p::max_bonds.value(),
            tx_queues: p::tx_queues.value(),
            num_peer_notif,
            miimon: p::miimon.value(),
            updelay: p::updelay.value(),
            downdelay: p::downdelay.value(),
            use_carrier: p::use_carrier.value(),
            mode: mode.as_deref(),
            primary: primary.as_deref(),
            primary_reselect: primary_reselect.as_deref(),
            lacp_rate: lacp_rate.as_deref(),
            ad_select: ad_select.as_deref(),
            min_links: p::min_links.value(),
            xmit_hash_policy: xmit_hash_policy.as_deref(),
            arp_interval: p::arp_interval.value(),
            arp_ip_target: &target_refs,
            arp_validate: arp_validate.as_deref(),
            arp_all_targets: arp_all_targets.as_deref(),
            fail_over_mac: fail_over_mac.as_deref(),
            all_slaves_active: p::all_slaves_active.value(),
            resend_igmp: p::resend_igmp.value(),
            packets_per_slave: p::packets_per_slave.value(),
            lp_interval: p::lp_interval.value(),
        };
        let defaults = params::check(&raw, &mut KernelLog)?;
        let max_bonds = defaults.max_bonds;

        let pernet = Arc::new(namespace::Registration::<net::BondNet>::new()?, GFP_KERNEL)?;
        globals::publish_defaults(defaults)?;
        let link = globals::BondLink::new()?;
        let events = notifier::Registration::new(events::Events {
            bonds: link.ident(),
            pernet: pernet.clone(),
        })?;
        globals::publish_link(link.ident())?;
        let module = Rbond {
            link: Some(link),
            _events: events,
            _pernet: pernet,
        };

        let rtnl = RtnlGuard::lock();
        for _ in 0..max_bonds {
            sysfs::create_bond(&rtnl, Net::init_ns(), c_str!("bond%d"))?;
        }
        drop(rtnl);
        Ok(module)
    }
}
