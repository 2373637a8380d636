// SPDX-License-Identifier: GPL-2.0

//! broadcast: bond_main.c's `bond_xmit_broadcast()`: every frame to every slave that is up
//! with its link up, clones to all but the last, which gets the original.

use crate::bond::BondDev;
use crate::slave::link;
use kernel::{net::SkBuff, sync::rcu};

/// bond_xmit_broadcast() over `all_slaves`. A frame no slave took is counted as dropped.
pub(crate) fn xmit(dev: &BondDev, skb: SkBuff, guard: &rcu::Guard) {
    let slaves = dev.data().all_slaves(guard);
    let mut original = Some(skb);
    let mut sent = false;
    for (i, s) in slaves.iter().enumerate() {
        if !(s.is_up() && s.link() == link::UP) {
            continue;
        }
        let copy = if i + 1 == slaves.len() {
            original.take()
        } else {
            // A failed clone skips the slave (C also logs it, rate-limited; rbond has no
            // rate-limited log yet, and an unlimited one here could flood).
            original.as_ref().and_then(|o| o.try_clone().ok())
        };
        if let Some(copy) = copy {
            if copy.transmit_to_lower(&s.dev).is_ok() {
                sent = true;
            }
        }
    }
    // The original, if the last slave could not take it (dev_kfree_skb_any).
    drop(original);
    if !sent {
        dev.count_tx_dropped();
    }
}
