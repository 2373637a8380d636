// SPDX-License-Identifier: GPL-2.0

//! Slave lists published for lockless readers: the bond's slave list (C: `bond->slave_list`
//! walked under RCU) and the transmit arrays of bond_main.c's `bond_update_slave_arr()`
//! (`usable_slaves`, `all_slaves`).
//!
//! Writers run under RTNL. A list is rebuilt, published, and the one it replaces becomes the
//! spare once no reader can see it, so publishing no more slaves than were reserved never
//! allocates: a release cannot fail half-way.

use crate::slave::Slave;
use kernel::{
    new_mutex,
    prelude::*,
    sync::{
        rcu::{self, RcuBox},
        Arc, Mutex,
    },
};

/// A published list of slaves with a spare of the same capacity.
#[pin_data]
pub(crate) struct SlaveArray {
    live: RcuBox<KVec<Arc<Slave>>>,
    /// An empty list with room for as many slaves as were last published or reserved.
    #[pin]
    spare: Mutex<Option<KBox<KVec<Arc<Slave>>>>>,
}

impl SlaveArray {
    /// An array that publishes nothing yet.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            live: RcuBox::empty(),
            spare <- new_mutex!(None),
        })
    }

    /// The published slaves, for as long as `guard` holds the read-side section.
    pub(crate) fn get<'a>(&'a self, guard: &'a rcu::Guard) -> &'a [Arc<Slave>] {
        self.live.get(guard).map_or(&[], |v| &v[..])
    }

    /// `true` if a list is published and it is empty (C: a non-NULL array of count 0).
    pub(crate) fn is_published_empty(&self, guard: &rcu::Guard) -> bool {
        self.live.get(guard).map_or(false, |v| v.is_empty())
    }

    /// Makes sure the next [`SlaveArray::publish`] of up to `n` slaves does not allocate.
    pub(crate) fn reserve(&self, n: usize) -> Result {
        let mut spare = self.spare.lock();
        match spare.as_mut() {
            // The spare is empty, so this allocates only if its capacity is below `n`.
            Some(list) => list.reserve(n, GFP_KERNEL)?,
            None => *spare = Some(KBox::new(KVec::with_capacity(n, GFP_KERNEL)?, GFP_KERNEL)?),
        }
        Ok(())
    }

    /// Publishes `slaves`; returns once no reader sees the list it replaces. Allocates only
    /// for more slaves than ever reserved.
    pub(crate) fn publish<'a>(&self, slaves: impl Iterator<Item = &'a Arc<Slave>> + Clone) -> Result {
        self.reserve(slaves.clone().count())?;
        let mut list = self.spare.lock().take().ok_or(ENOMEM)?;
        for s in slaves {
            // Cannot fail: the room was reserved above.
            let _ = list.push(s.clone(), GFP_KERNEL);
        }
        self.retire(Some(list));
        Ok(())
    }

    /// Publishes nothing (bond_reset_slave_arr()).
    pub(crate) fn clear(&self) {
        self.retire(None);
    }

    fn retire(&self, new: Option<KBox<KVec<Arc<Slave>>>>) {
        if let Some(retired) = self.live.replace(new) {
            // Once no reader sees it, the old list, emptied, is the next spare.
            let mut old = retired.into_inner();
            while old.pop().is_some() {}
            let mut spare = self.spare.lock();
            if spare.as_ref().map_or(true, |s| s.capacity() < old.capacity()) {
                *spare = Some(old);
            }
        }
    }
}
