// SPDX-License-Identifier: GPL-2.0

//! Module-wide state that callbacks without a context of their own reach: the `bond` link
//! type (C: `bond_link_ops`) and the defaults new bonds start from (C: `bonding_defaults`).
//!
//! Both are published with RCU by module init and retracted by module exit; a reader gets
//! its own reference (`Arc`) or copy, so nothing is used after the module starts to go.

use crate::bond::Bond;
use crate::params::BondDefaults;
use kernel::{
    net::link,
    prelude::*,
    sync::{
        rcu::{self, RcuBox},
        Arc,
    },
};

/// The `bond` link type, for creating bonds and recognising them.
pub(crate) type BondLink = link::Registration<Bond>;

static LINK: RcuBox<Arc<BondLink>> = RcuBox::empty();
static DEFAULTS: RcuBox<BondDefaults> = RcuBox::empty();

/// Publishes the defaults (before the link type is registered: setup reads them).
pub(crate) fn publish_defaults(defaults: BondDefaults) -> Result {
    DEFAULTS.replace(Some(KBox::new(defaults, GFP_KERNEL)?));
    Ok(())
}

/// Publishes the registered link type.
pub(crate) fn publish_link(link: Arc<BondLink>) -> Result {
    LINK.replace(Some(KBox::new(link, GFP_KERNEL)?));
    Ok(())
}

/// Retracts both; returns once no reader can still see them.
pub(crate) fn retract() {
    drop(LINK.replace(None));
    drop(DEFAULTS.replace(None));
}

/// The `bond` link type, while the module is loaded.
pub(crate) fn link() -> Option<Arc<BondLink>> {
    let guard = rcu::read_lock();
    LINK.get(&guard).cloned()
}

/// The defaults for a new bond.
pub(crate) fn defaults() -> BondDefaults {
    let guard = rcu::read_lock();
    DEFAULTS
        .get(&guard)
        .cloned()
        .unwrap_or_else(BondDefaults::builtin)
}
