// SPDX-License-Identifier: GPL-2.0

//! Module-wide state that callbacks without a context of their own reach: the `bond` link
//! type (C: `bond_link_ops`) and the defaults new bonds start from (C: `bonding_defaults`).
//!
//! Both are published with RCU by module init and retracted by module exit; a reader gets
//! its own handle or copy. The module owns the link type's registration; the handle here
//! ([`link::Ident`]) does not, so a reader that lets go of it last, under RTNL, does not
//! unregister the type (which would take RTNL again), and once the module starts to go the
//! handle creates no more bonds.

use crate::bond::Bond;
use crate::params::BondDefaults;
use kernel::{
    net::link,
    prelude::*,
    sync::rcu::{self, RcuBox},
};

/// The `bond` link type, for creating bonds and recognising them.
pub(crate) type BondLink = link::Registration<Bond>;

/// A handle on the `bond` link type.
pub(crate) type BondKind = link::Ident<Bond>;

static LINK: RcuBox<BondKind> = RcuBox::empty();
static DEFAULTS: RcuBox<BondDefaults> = RcuBox::empty();

/// Publishes the defaults (before the link type is registered: setup reads them).
pub(crate) fn publish_defaults(defaults: BondDefaults) -> Result {
    DEFAULTS.replace(Some(KBox::new(defaults, GFP_KERNEL)?));
    Ok(())
}

/// Publishes the registered link type.
pub(crate) fn publish_link(link: BondKind) -> Result {
    LINK.replace(Some(KBox::new(link, GFP_KERNEL)?));
    Ok(())
}

/// Retracts both; returns once no reader can still see them.
pub(crate) fn retract() {
    drop(LINK.replace(None));
    drop(DEFAULTS.replace(None));
}

/// The `bond` link type, while the module is loaded.
pub(crate) fn link() -> Option<BondKind> {
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
