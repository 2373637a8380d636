// SPDX-License-Identifier: GPL-2.0

//! What the bond core asks its mode.
//!
//! bond_main.c asks at each step with `if (BOND_MODE(bond) == BOND_MODE_8023AD)
//! bond_3ad_...()` or a `switch` on the mode, so every mode with state of its own edits a
//! dozen sites. rbond's core asks the mode's [`ModeOps`] instead, at the same steps: a mode
//! that keeps state per slave (802.3ad's ports in `ad.rs`, tlb and alb's tables in `alb.rs`)
//! implements the hooks it needs in its own file and is named once, in [`Mode::ops`]. Properties that are
//! only a rule about the mode (`bond_uses_primary()`, `bond_mode_can_use_xmit_hash()`) stay
//! `Mode` methods in `options.rs`.
//!
//! The transmit and receive paths do not go through the trait: they `match` on the mode once
//! per frame, where the compiler can inline each arm (`xmit.rs`, `slave.rs`).

use crate::bond::{Bond, BondDev};
use crate::options::Mode;
use crate::slave::{link, Slave};
use kernel::{
    net::Rtnl,
    prelude::*,
    sync::Arc,
};

/// Which slaves may enter the usable transmit array (bond_update_slave_arr()'s filter).
pub(crate) enum Transmitters {
    /// Every slave that can transmit.
    All,
    /// Only those marked `true`, in slave order.
    Marked,
    /// None: the arrays are reset (802.3ad without an active aggregator).
    Nothing,
}

/// The hooks a mode implements; every one has a default for the modes without state.
///
/// `slaves` is the slave list the step sees: on enslave the published slaves with the new one
/// last, on release the published list that still holds the leaving slave.
pub(crate) trait ModeOps: Sync {
    /// bond_enslave()'s switch on the mode: the new slave's flags, and whatever the mode keeps
    /// for it. By default the slave is active and becomes the active slave if there is none
    /// and its link is up.
    fn enslave(&self, dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>], slave: &Arc<Slave>) -> Result {
        let _ = slaves;
        slave.set_active_flags(rtnl);
        let bond = dev.data();
        if bond.curr_active_arc().is_none() && slave.link() == link::UP {
            let _ = bond.set_curr_active(rtnl, Some(slave.clone()));
        }
        Ok(())
    }

    /// Undoes [`ModeOps::enslave`]: the enslave failed later on, or the slave is released.
    fn unbind(&self, _dev: &BondDev, _slaves: &[Arc<Slave>], _slave: &Slave) {}

    /// A released slave is out of the list (`slaves`, the ones that stay) and no longer the
    /// active slave; a new one is not chosen yet (bond_alb_deinit_slave()'s place).
    fn released(&self, _dev: &BondDev, _rtnl: &Rtnl, _slaves: &[Arc<Slave>], _slave: &Slave) {}

    /// The bond's address lists were synced onto an up slave (enslave on an up bond).
    fn listen(&self, _rtnl: &Rtnl, _slave: &Slave) {}

    /// The bond's address lists come off a slave (bond_hw_addr_flush()'s per-mode part).
    fn forget(&self, _rtnl: &Rtnl, _slave: &Slave) {}

    /// bond_open()'s per-mode step, after the slaves' flags were reset.
    fn open(&self, _dev: &BondDev, _rtnl: &Rtnl, _slaves: &[Arc<Slave>]) -> Result {
        Ok(())
    }

    /// bond_close()'s per-mode step, after the works were cancelled.
    fn close(&self, _dev: &BondDev) {}

    /// A slave's link went up or down (bond_miimon_link_change(), and a slave made active by
    /// hand while its link was coming back).
    fn link_changed(&self, _dev: &BondDev, _rtnl: &Rtnl, _slaves: &[Arc<Slave>], _slave: &Slave, _up: bool) {}

    /// The core published `new` as the active slave in place of `old`
    /// (bond_change_active_slave()). By default nothing more.
    fn active_changed(&self, _dev: &BondDev, _rtnl: &Rtnl, _new: Option<&Arc<Slave>>, _old: Option<&Arc<Slave>>) {}

    /// A slave's speed or duplex may have changed (NETDEV_UP/CHANGE, the MII monitor).
    fn speed_duplex_changed(&self, _dev: &BondDev, _slaves: &[Arc<Slave>], _slave: &Slave) {}

    /// bond_set_carrier(): `Some(changed)` if the mode decides the bond's carrier, `None` for
    /// the core's rule (carrier while one slave's link is up).
    fn set_carrier(&self, _dev: &BondDev) -> Option<bool> {
        None
    }

    /// `true` if [`ModeOps::transmitters`] filters, so the core makes room for its marks.
    fn filters_transmitters(&self) -> bool {
        false
    }

    /// Which of `slaves` may transmit: marks pushed to `marks`, which has room for them all
    /// (nothing is allocated here).
    fn transmitters(
        &self,
        _bond: &Bond,
        _slaves: &mut dyn Iterator<Item = &Slave>,
        _marks: &mut KVec<bool>,
    ) -> Transmitters {
        Transmitters::All
    }
}

/// balance-rr and broadcast: no state of their own, every default.
struct Stateless;

impl ModeOps for Stateless {}

/// balance-xor: its transmit array follows the slaves' links.
struct Xor;

impl ModeOps for Xor {
    fn link_changed(&self, dev: &BondDev, rtnl: &Rtnl, _slaves: &[Arc<Slave>], _slave: &Slave, _up: bool) {
        let _ = dev.data().update_slave_arr(rtnl, None);
    }
}

/// active-backup: a new slave starts inactive; the active slave is chosen by the core's
/// selection (active.rs).
struct ActiveBackup;

impl ModeOps for ActiveBackup {
    fn enslave(&self, dev: &BondDev, rtnl: &Rtnl, _slaves: &[Arc<Slave>], slave: &Arc<Slave>) -> Result {
        slave.set_inactive_flags(rtnl, dev.data().params.all_slaves_active.get() != 0);
        Ok(())
    }
}

impl Mode {
    /// The hooks of this mode.
    pub(crate) fn ops(self) -> &'static dyn ModeOps {
        match self {
            Mode::BalanceRr | Mode::Broadcast => &Stateless,
            Mode::BalanceXor => &Xor,
            Mode::ActiveBackup => &ActiveBackup,
            Mode::Ieee8023ad => &crate::ad::Ieee8023ad,
            Mode::BalanceTlb | Mode::BalanceAlb => &crate::alb::LoadBalancing,
        }
    }
}

impl Bond {
    /// The hooks of the bond's current mode.
    pub(crate) fn mode_ops(&self) -> &'static dyn ModeOps {
        self.params.mode().ops()
    }
}
