// SPDX-License-Identifier: GPL-2.0

//! Per-namespace state (C: `struct bond_net`, bond_main.c's `bond_net_init`,
//! `bond_net_pre_exit`, `bond_net_exit_batch_rtnl`, `bond_net_exit_batch`): the namespace's
//! bonds, `/proc/net/bonding/` and `/sys/class/net/bonding_masters`.

use crate::bond::BondDev;
use crate::sysfs::Masters;
use kernel::{
    c_str,
    net::{
        namespace::{NetScope, PernetData, PernetId},
        procfs,
        sysfs::ClassAttribute,
        Net, Rtnl,
    },
    new_mutex,
    prelude::*,
    sync::{rcu::RcuBox, Arc, Mutex},
    types::ARef,
};

/// The bonds of one namespace, in creation order.
pub(crate) type BondList = Mutex<KVec<ARef<BondDev>>>;

static BOND_NET_ID: PernetId = PernetId::new();

/// The state of one namespace.
#[pin_data]
pub(crate) struct BondNet {
    inner: Inner,
}

struct Inner {
    proc_dir: Option<Arc<procfs::Dir>>,
    bonds: Arc<BondList>,
    masters: RcuBox<ClassAttribute<Masters>>,
}

impl Inner {
    fn build(scope: &Arc<NetScope>) -> Result<Self> {
        let bonds: Arc<BondList> = Arc::pin_init(new_mutex!(KVec::new()), GFP_KERNEL)?;
        let proc_dir = match procfs::Dir::new(scope, c_str!("bonding")) {
            Ok(d) => Some(d),
            Err(_) => {
                crate::log_plain!(Warn, "Warning: Cannot create /proc/net/bonding\n");
                None
            }
        };
        let masters = RcuBox::empty();
        let attr = ClassAttribute::new(
            scope,
            c_str!("bonding_masters"),
            0o644,
            Masters {
                bonds: bonds.clone(),
            },
        );
        match attr {
            Ok(a) => {
                masters.replace(Some(KBox::new(a, GFP_KERNEL)?));
            }
            Err(_) => pr_err!("network device named bonding_masters already exists in sysfs\n"),
        }
        Ok(Inner {
            proc_dir,
            bonds,
            masters,
        })
    }
}

impl BondNet {
    /// `/proc/net/bonding`, if it could be created.
    pub(crate) fn proc_dir(&self) -> Option<&Arc<procfs::Dir>> {
        self.inner.proc_dir.as_ref()
    }

    /// The namespace's bonds.
    pub(crate) fn bonds(&self) -> &BondList {
        &self.inner.bonds
    }
}

impl PernetData for BondNet {
    fn id() -> &'static PernetId {
        &BOND_NET_ID
    }

    fn init(_net: &Net, scope: &Arc<NetScope>) -> impl PinInit<Self, Error> {
        try_pin_init!(BondNet {
            inner: Inner::build(scope)?,
        }? Error)
    }

    /// bond_net_pre_exit(): no new bonds through bonding_masters from here on.
    fn pre_exit(this: Pin<&Self>, _net: &Net) {
        drop(this.inner.masters.replace(None));
    }

    /// bond_net_exit_batch_rtnl(): deletes the namespace's bonds.
    fn exit_rtnl(this: Pin<&Self>, _net: &Net, rtnl: &Rtnl) {
        let mut last: Option<ARef<BondDev>> = None;
        loop {
            let Some(bond) = this.inner.bonds.lock().first().cloned() else { break };
            if last.as_ref().map_or(false, |l| l.is(&bond)) {
                break;
            }
            bond.unregister(rtnl);
            last = Some(bond);
        }
    }
}
