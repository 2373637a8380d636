// SPDX-License-Identifier: GPL-2.0

//! balance-xor: bond_main.c's `bond_3ad_xor_xmit()` and `bond_xmit_3ad_xor_slave_get()`: the
//! slave is `usable_slaves[hash % count]`, by the hash of [`crate::hash`] (which 802.3ad will
//! share, over its aggregator's ports).

use crate::bond::{Bond, BondDev};
use crate::hash::{self, Packet, Policy};
use crate::slave::Slave;
use kernel::{
    net::skb::{FlowDissector, FlowKeys, SkBuff},
    sync::{rcu, Arc},
};

/// The transmitted skb as the hash reads it.
struct SkbPacket<'a> {
    skb: &'a SkBuff,
    dissector: &'a FlowDissector,
}

impl Packet for SkbPacket<'_> {
    fn read(&self, offset: usize, out: &mut [u8]) -> bool {
        self.skb.copy_bits(offset, out).is_some()
    }

    fn protocol(&self) -> u16 {
        self.skb.protocol()
    }

    fn network_offset(&self) -> Option<usize> {
        usize::try_from(self.skb.network_offset()).ok()
    }

    fn vlan_tci(&self) -> u16 {
        self.skb.vlan_tci().unwrap_or(0)
    }

    fn l4_hash(&self) -> Option<u32> {
        self.skb.l4_hash()
    }

    fn dissect_encap(&self) -> Option<FlowKeys> {
        self.skb.dissect(self.dissector)
    }
}

/// bond_xmit_hash(): the hash of `skb` under the bond's `xmit_hash_policy`.
pub(crate) fn xmit_hash(bond: &Bond, skb: &SkBuff) -> u32 {
    let policy = Policy::from_value(bond.params.xmit_policy.get());
    hash::xmit_hash(policy, &SkbPacket { skb, dissector: &bond.dissector })
}

/// bond_xmit_3ad_xor_slave_get(): the slave of `slaves` the hash picks; none if empty.
pub(crate) fn slave_get<'a>(bond: &Bond, skb: &SkBuff, slaves: &'a [Arc<Slave>]) -> Option<&'a Arc<Slave>> {
    if slaves.is_empty() {
        return None;
    }
    let hash = xmit_hash(bond, skb);
    slaves.get(hash as usize % slaves.len())
}

/// bond_3ad_xor_xmit(): the slave of the usable ones the hash picks.
pub(crate) fn xmit<'a>(dev: &'a BondDev, skb: &SkBuff, guard: &'a rcu::Guard) -> Option<&'a Arc<Slave>> {
    let bond = dev.data();
    slave_get(bond, skb, bond.usable_slaves(guard))
}
