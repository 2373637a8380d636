// SPDX-License-Identifier: GPL-2.0

//! Slave lists published for lockless readers: the bond's slave list (C: `bond->slave_list`
//! walked under RCU) and the transmit arrays of bond_main.c's `bond_update_slave_arr()`
//! (`usable_slaves`, `all_slaves`).
//!
//! Writers run under RTNL. Each publish builds a new list and puts the one it replaces in the
//! bond's [`Graveyard`], which frees it once no reader can see it: like C's `kfree_rcu()` of
//! the old array, the writer does not wait for a grace period. A release must not fail
//! half-way, so [`SlaveArray::publish_without`] has a fallback for a failed allocation.

use crate::slave::Slave;
use kernel::{
    prelude::*,
    sync::{
        rcu::{self, Graveyard, RcuBox},
        Arc,
    },
};

/// A published list of slaves.
pub(crate) struct SlaveArray {
    live: RcuBox<KVec<Arc<Slave>>>,
}

impl SlaveArray {
    /// An array that publishes nothing yet.
    pub(crate) const fn new() -> Self {
        Self {
            live: RcuBox::empty(),
        }
    }

    /// The published slaves, for as long as `guard` holds the read-side section.
    pub(crate) fn get<'a>(&'a self, guard: &'a rcu::Guard) -> &'a [Arc<Slave>] {
        self.live.get(guard).map_or(&[], |v| &v[..])
    }

    /// `true` if a list is published and it is empty (C: a non-NULL array of count 0).
    pub(crate) fn is_published_empty(&self, guard: &rcu::Guard) -> bool {
        self.live.get(guard).map_or(false, |v| v.is_empty())
    }

    /// Publishes `slaves`; the list it replaces goes to `graves`.
    pub(crate) fn publish<'a>(
        &self,
        slaves: impl Iterator<Item = &'a Arc<Slave>> + Clone,
        graves: &mut Graveyard,
    ) -> Result {
        let mut list = KVec::with_capacity(slaves.clone().count(), GFP_KERNEL)?;
        for s in slaves {
            // Cannot fail: the room was allocated above.
            let _ = list.push(s.clone(), GFP_KERNEL);
        }
        self.replace(Some(KBox::new(list, GFP_KERNEL)?), graves);
        Ok(())
    }

    /// Publishes `slaves`, which are the published ones but `gone` (a release). Cannot fail:
    /// without memory for a new list, the published one is withdrawn, taken back after a
    /// grace period, and published again without `gone` (readers see no slaves meanwhile; C
    /// removes the slave from its array in place in that case, bond_skip_slave()).
    pub(crate) fn publish_without<'a>(
        &self,
        slaves: impl Iterator<Item = &'a Arc<Slave>> + Clone,
        gone: &Slave,
        graves: &mut Graveyard,
    ) {
        if self.publish(slaves, graves).is_ok() {
            return;
        }
        if let Some(retired) = self.live.replace(None) {
            let mut list = retired.into_inner();
            while let Some(i) = list.iter().position(|s| core::ptr::eq(&**s, gone)) {
                let _ = list.remove(i);
            }
            // Nothing was published, so nothing comes back to bury.
            let _ = self.live.replace(Some(list));
        }
    }

    /// Publishes nothing (bond_reset_slave_arr()).
    pub(crate) fn clear(&self, graves: &mut Graveyard) {
        self.replace(None, graves);
    }

    fn replace(&self, new: Option<KBox<KVec<Arc<Slave>>>>, graves: &mut Graveyard) {
        if let Some(retired) = self.live.replace(new) {
            graves.bury(retired);
        }
    }
}
