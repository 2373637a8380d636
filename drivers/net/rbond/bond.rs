// SPDX-License-Identifier: GPL-2.0

//! The bond device: C's `struct bonding` and the device operations of bond_main.c
//! (`bond_setup`, `bond_init`, `bond_open`, `bond_close`, `bond_get_stats`,
//! `bond_set_mac_address`, `bond_change_mtu`, `bond_set_rx_mode`, `bond_fix_features`...).
//!
//! Enslaving and releasing are in enslave.rs, active slave selection in active.rs, the
//! per-mode transmit functions in xmit.rs and the link monitors in monitor/.

use crate::active;
use crate::ad::{self, AdStats};
use crate::alb;
use crate::monitor::arp;
use crate::params::MAX_ARP_TARGETS;
use crate::modes::Transmitters;
use crate::lacp::engine::Lacp;
use crate::config::{Params, Strings};
use crate::enslave;
use crate::globals;
use crate::hash;
use crate::monitor::mii;
use crate::options::Mode;
use crate::slave::{link, Slave};
use crate::slave_array::SlaveArray;
use crate::xmit;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{
    c_str,
    impl_has_delayed_work,
    net::{
        device::{
            flags, priv_flags, AddrListsLocked, Device, DeviceWork, Driver, DriverDevice,
            Features, HwAddr, RxFlagsContext,
            Setup, Stats64, Unregistered, VlanProto, STATS64_FIELDS,
        },
        ethtool,
        netlink::ExtAck,
        skb::FlowDissector,
        procfs, rx_handler,
        sysfs::AttributeGroup,
        Rtnl, SkBuff,
    },
    new_delayed_work, new_mutex, new_spinlock, new_spinlock_bh,
    percpu::CpuCounter,
    prelude::*,
    sync::{
        rcu::{self, Graveyard, RcuBox},
        lock::spinlock_bh::SoftirqsOff,
        Arc, Mutex, SpinLock, SpinLockBh,
    },
    types::ARef,
    workqueue::delayed::{self, DelayedWork, OwnedQueue},
};

/// A bond device.
pub(crate) type BondDev = DriverDevice<Bond>;

/// Delayed work numbers of a bond.
pub(crate) const MII_WORK: u64 = 0;
/// See [`MII_WORK`].
pub(crate) const MCAST_WORK: u64 = 1;
/// See [`MII_WORK`]: the 802.3ad state machines.
pub(crate) const AD_WORK: u64 = 2;
/// See [`MII_WORK`]: a transmit array rebuild that waits for RTNL.
pub(crate) const SLAVE_ARR_WORK: u64 = 3;
/// See [`MII_WORK`]: balance-tlb and -alb's tables and learning packets.
pub(crate) const ALB_WORK: u64 = 4;
/// See [`MII_WORK`]: the ARP monitor.
pub(crate) const ARP_WORK: u64 = 5;

/// `ARPHRD_ETHER`.
pub(crate) const ARPHRD_ETHER: u16 = 1;
/// `ARPHRD_INFINIBAND`.
pub(crate) const ARPHRD_INFINIBAND: u16 = 32;
/// `ARPHRD_CAN`.
pub(crate) const ARPHRD_CAN: u16 = 280;

/// What the bond keeps of each slave: the slave, and what it attached to its device.
pub(crate) struct SlaveEntry {
    pub(crate) slave: Arc<Slave>,
    pub(crate) rx: Option<rx_handler::Registration<Slave>>,
    pub(crate) files: Option<AttributeGroup<Arc<Slave>>>,
}

/// The bond's files elsewhere: `/proc/net/bonding/<bond>` and `/sys/class/net/<bond>/bonding/`.
#[derive(Default)]
pub(crate) struct Surfaces {
    pub(crate) proc: Option<procfs::File<crate::procfs::BondInfo>>,
    pub(crate) files: Option<AttributeGroup<ARef<BondDev>>>,
}

impl Surfaces {
    /// Removes both (under RTNL, which the sysfs group's removal needs).
    pub(crate) fn clear(&mut self, rtnl: &Rtnl) {
        self.proc = None;
        if let Some(files) = self.files.take() {
            files.remove(rtnl);
        }
    }
}

/// The private data of a bond device.
#[pin_data]
pub(crate) struct Bond {
    /// Numeric options.
    pub(crate) params: Params,
    /// Options that are not numbers.
    #[pin]
    pub(crate) strings: Mutex<Strings>,
    /// The slaves, in enslave order, with their registrations (changed under RTNL).
    #[pin]
    pub(crate) entries: Mutex<KVec<SlaveEntry>>,
    /// The same slaves, published for lockless readers (transmit, receive, monitors).
    slaves: SlaveArray,
    /// The slaves that can transmit (`usable_slaves`), for the modes that hash
    /// (balance-xor); rebuilt by [`Bond::update_slave_arr`].
    usable: SlaveArray,
    /// All slaves (`all_slaves`), for broadcast and `ndo_get_xmit_slave`.
    all: SlaveArray,
    /// What the published lists and slaves above replaced, freed once no reader can see
    /// it; a release waits for it all ([`Bond::free_retired`]).
    #[pin]
    graves: Mutex<Graveyard>,
    /// The flow dissector of the encap hash policies (C: `flow_keys_bonding`).
    pub(crate) dissector: FlowDissector,
    curr_active: RcuBox<Arc<Slave>>,
    primary: RcuBox<Arc<Slave>>,
    /// The next selection must pick the primary (it was just enslaved or named).
    pub(crate) force_primary: AtomicBool,
    /// Peer notifications still to send.
    pub(crate) send_peer_notif: AtomicU32,
    /// The MII monitor is looking at the slaves (see `mii::look_now`).
    pub(crate) mii_looking: AtomicBool,
    /// IGMP membership report rounds still to send.
    pub(crate) igmp_retrans: AtomicU32,
    /// balance-rr's packet counter, one per CPU; allocated when the bond first opens in
    /// balance-rr, as C does.
    pub(crate) rr_tx_counter: RcuBox<CpuCounter>,
    #[pin]
    stats: SpinLock<Stats64>,
    #[pin]
    mii_work: DelayedWork<BondDev, MII_WORK>,
    #[pin]
    mcast_work: DelayedWork<BondDev, MCAST_WORK>,
    #[pin]
    ad_work: DelayedWork<BondDev, AD_WORK>,
    #[pin]
    slave_arr_work: DelayedWork<BondDev, SLAVE_ARR_WORK>,
    /// The 802.3ad protocol state, under the mode lock (`bond->mode_lock`).
    #[pin]
    pub(crate) lacp: SpinLockBh<Lacp>,
    /// Received slow frames go to 802.3ad (`bond->recv_probe`, set while the bond is up).
    pub(crate) lacp_rx: AtomicBool,
    /// The bond's 802.3ad counters.
    pub(crate) ad_stats: AdStats,
    /// balance-tlb and -alb's tables, under their mode lock (`bond->mode_lock`).
    #[pin]
    pub(crate) alb: SpinLockBh<alb::Tables>,
    /// The active slave is promiscuous for a disabled slave's address (alb).
    pub(crate) alb_promisc: alb::Promisc,
    /// Received ARPs go to balance-alb's receive table (`recv_probe`, set while it is up).
    pub(crate) rlb_rx: AtomicBool,
    #[pin]
    alb_work: DelayedWork<BondDev, ALB_WORK>,
    /// The ARP targets, for the receive path (`params.arp_targets`; the option's text form
    /// is in `strings`). Each is an address's bytes in a `u32`, zero for none; the first zero
    /// ends the list.
    pub(crate) arp_targets: [AtomicU32; MAX_ARP_TARGETS],
    /// The NS monitor's targets (`params.ns_targets`).
    pub(crate) ns_targets: crate::monitor::ns::NsTargets,
    /// The backup slave the ARP monitor probes through while there is no active slave.
    pub(crate) current_arp_slave: RcuBox<Arc<Slave>>,
    /// Received frames go to the ARP monitor's validation (`recv_probe`, while it runs).
    pub(crate) arp_rx: AtomicBool,
    #[pin]
    arp_work: DelayedWork<BondDev, ARP_WORK>,
    /// Files in /proc and sysfs.
    #[pin]
    pub(crate) surfaces: Mutex<Surfaces>,
}

impl_has_delayed_work! {
    impl HasDelayedWork<0, Item = BondDev> for Bond { self.mii_work }
    impl HasDelayedWork<1, Item = BondDev> for Bond { self.mcast_work }
    impl HasDelayedWork<2, Item = BondDev> for Bond { self.ad_work }
    impl HasDelayedWork<3, Item = BondDev> for Bond { self.slave_arr_work }
    impl HasDelayedWork<4, Item = BondDev> for Bond { self.alb_work }
    impl HasDelayedWork<5, Item = BondDev> for Bond { self.arp_work }
}

impl DeviceWork<MII_WORK> for Bond {
    fn run(dev: ARef<BondDev>) {
        mii::mii_monitor(dev);
    }
}

impl DeviceWork<MCAST_WORK> for Bond {
    fn run(dev: ARef<BondDev>) {
        active::resend_igmp(dev);
    }
}

impl DeviceWork<AD_WORK> for Bond {
    fn run(dev: ARef<BondDev>) {
        ad::state_machine(dev);
    }
}

impl DeviceWork<SLAVE_ARR_WORK> for Bond {
    fn run(dev: ARef<BondDev>) {
        ad::rebuild_slave_arr(dev);
    }
}

impl DeviceWork<ALB_WORK> for Bond {
    fn run(dev: ARef<BondDev>) {
        alb::monitor::alb_monitor(dev);
    }
}

impl DeviceWork<ARP_WORK> for Bond {
    fn run(dev: ARef<BondDev>) {
        arp::arp_monitor(dev);
    }
}

impl Bond {
    /// The slaves, in enslave order.
    pub(crate) fn slaves<'a>(&'a self, guard: &'a rcu::Guard) -> &'a [Arc<Slave>] {
        self.slaves.get(guard)
    }

    /// The slaves that can transmit, as last rebuilt (`usable_slaves`).
    pub(crate) fn usable_slaves<'a>(&'a self, guard: &'a rcu::Guard) -> &'a [Arc<Slave>] {
        self.usable.get(guard)
    }

    /// `true` if `usable_slaves` was built and holds none (no slave can transmit).
    pub(crate) fn no_usable_slaves(&self, guard: &rcu::Guard) -> bool {
        self.usable.is_published_empty(guard)
    }

    /// All slaves, as last rebuilt (`all_slaves`).
    pub(crate) fn all_slaves<'a>(&'a self, guard: &'a rcu::Guard) -> &'a [Arc<Slave>] {
        self.all.get(guard)
    }

    /// bond_update_slave_arr(): rebuilds the transmit arrays from the slave list, leaving
    /// out `skip` (a slave being released). Only the modes that use them keep them: the
    /// hashing modes both, broadcast `all` (C keeps its old `usable_slaves` then).
    ///
    /// With `skip` (a release) it cannot fail: see [`SlaveArray::publish_without`].
    pub(crate) fn update_slave_arr(&self, _rtnl: &Rtnl, skip: Option<&Slave>) -> Result {
        let entries = self.entries.lock();
        // The mode may let only some slaves transmit (802.3ad: the active aggregator's).
        let mut in_agg = KVec::new();
        let ops = self.mode_ops();
        if ops.filters_transmitters() {
            let reserved = in_agg.reserve(entries.len(), GFP_KERNEL);
            let marked = reserved.is_ok()
                && matches!(
                    ops.transmitters(self, &mut entries.iter().map(|e| &*e.slave), &mut in_agg),
                    Transmitters::Marked
                );
            if !marked {
                drop(entries);
                // None may: nothing is published (C: bond_reset_slave_arr(), the old array
                // is not safe to use). Without memory for the filter, the reset also keeps a
                // released slave out, so a release still cannot fail.
                self.reset_slave_arr();
                return match reserved {
                    Err(e) if skip.is_none() => Err(e.into()),
                    _ => Ok(()),
                };
            }
        }
        let mut graves = self.graves.lock();
        let kept = || {
            entries
                .iter()
                .map(|e| &e.slave)
                .filter(move |s| !skip.map_or(false, |k| core::ptr::eq(&***s, k)))
        };
        let in_agg = &in_agg;
        let usable = || {
            entries
                .iter()
                .enumerate()
                .filter(move |(i, _)| in_agg.is_empty() || in_agg.get(*i) == Some(&true))
                .map(|(_, e)| &e.slave)
                .filter(move |s| !skip.map_or(false, |k| core::ptr::eq(&***s, k)))
                .filter(|s| s.can_tx())
        };
        let broadcast = self.params.mode() == Mode::Broadcast;
        if let Some(gone) = skip {
            self.all.publish_without(kept(), gone, &mut graves);
            if !broadcast {
                self.usable.publish_without(usable(), gone, &mut graves);
            }
            return Ok(());
        }
        let r = self.all.publish(kept(), &mut graves);
        if broadcast {
            return r;
        }
        r.and(self.usable.publish(usable(), &mut graves))
    }

    /// bond_reset_slave_arr(): no transmit arrays (bond_close()).
    pub(crate) fn reset_slave_arr(&self) {
        let mut graves = self.graves.lock();
        self.all.clear(&mut graves);
        self.usable.clear(&mut graves);
    }

    /// Waits until no reader can see anything the bond unpublished, and frees it: the one
    /// grace period a release waits for (C: the synchronize_rcu() in __bond_release_one()),
    /// after which no old list holds the released slave.
    pub(crate) fn free_retired(&self) {
        self.graves.lock().drain();
    }

    /// `true` if the bond has slaves.
    pub(crate) fn has_slaves(&self) -> bool {
        let guard = rcu::read_lock();
        !self.slaves(&guard).is_empty()
    }

    /// The current active slave.
    pub(crate) fn curr_active<'a>(&'a self, guard: &'a rcu::Guard) -> Option<&'a Arc<Slave>> {
        self.curr_active.get(guard)
    }

    /// The primary slave, for as long as `guard` holds the read-side section.
    pub(crate) fn primary<'a>(&'a self, guard: &'a rcu::Guard) -> Option<&'a Arc<Slave>> {
        self.primary.get(guard)
    }

    /// The current active slave, as its own reference.
    pub(crate) fn curr_active_arc(&self) -> Option<Arc<Slave>> {
        let guard = rcu::read_lock();
        self.curr_active.get(&guard).cloned()
    }

    /// The slave the ARP monitor probes through, if any.
    pub(crate) fn current_arp_slave<'a>(&'a self, guard: &'a rcu::Guard) -> Option<&'a Arc<Slave>> {
        self.current_arp_slave.get(guard)
    }

    /// The slave the ARP monitor probes through, if any, held past the read-side section (for
    /// code that may sleep with it).
    pub(crate) fn current_arp_slave_arc(&self) -> Option<Arc<Slave>> {
        let guard = rcu::read_lock();
        self.current_arp_slave.get(&guard).cloned()
    }

    /// Publishes the slave the ARP monitor probes through.
    pub(crate) fn set_current_arp_slave(&self, slave: Option<Arc<Slave>>) -> Result {
        let boxed = slave.map(|s| KBox::new(s, GFP_KERNEL)).transpose()?;
        self.retire(self.current_arp_slave.replace(boxed));
        Ok(())
    }

    /// Publishes the ARP targets for the receive path.
    pub(crate) fn publish_arp_targets(&self, targets: &[[u8; 4]]) {
        for (i, slot) in self.arp_targets.iter().enumerate() {
            let t = targets.get(i).copied().unwrap_or([0; 4]);
            slot.store(u32::from_ne_bytes(t), Ordering::Relaxed);
        }
    }

    /// The primary slave, as its own reference.
    pub(crate) fn primary_arc(&self) -> Option<Arc<Slave>> {
        let guard = rcu::read_lock();
        self.primary.get(&guard).cloned()
    }

    /// Publishes a new active slave; the old one is freed once no reader sees it.
    pub(crate) fn set_curr_active(&self, _rtnl: &Rtnl, slave: Option<Arc<Slave>>) -> Result {
        let boxed = slave.map(|s| KBox::new(s, GFP_KERNEL)).transpose()?;
        self.retire(self.curr_active.replace(boxed));
        Ok(())
    }

    /// Publishes a new primary slave.
    pub(crate) fn set_primary(&self, _rtnl: &Rtnl, slave: Option<Arc<Slave>>) -> Result {
        let boxed = slave.map(|s| KBox::new(s, GFP_KERNEL)).transpose()?;
        self.retire(self.primary.replace(boxed));
        Ok(())
    }

    fn retire(&self, old: Option<rcu::Retired<Arc<Slave>>>) {
        if let Some(old) = old {
            self.graves.lock().bury(old);
        }
    }

    /// Publishes the slave list built from `entries`.
    pub(crate) fn publish_slaves(&self, _rtnl: &Rtnl, entries: &[SlaveEntry]) -> Result {
        self.slaves.publish(entries.iter().map(|e| &e.slave), &mut self.graves.lock())
    }

    /// Publishes the slave list built from `entries`, which are the published slaves but
    /// `gone` (a release). Cannot fail: see [`SlaveArray::publish_without`].
    pub(crate) fn publish_slaves_without(&self, _rtnl: &Rtnl, entries: &[SlaveEntry], gone: &Slave) {
        self.slaves.publish_without(entries.iter().map(|e| &e.slave), gone, &mut self.graves.lock());
    }

    /// The slave whose device is `dev`.
    pub(crate) fn find_slave(&self, dev: &Device) -> Option<Arc<Slave>> {
        let guard = rcu::read_lock();
        self.slaves(&guard).iter().find(|s| s.dev.is(dev)).cloned()
    }

    /// `true` if the mode has a primary and an active slave (active-backup, tlb, alb).
    #[inline]
    pub(crate) fn uses_primary(&self) -> bool {
        self.params.mode().uses_primary()
    }

    /// The bond's stats accumulated from released slaves and earlier reads. `depth` is the
    /// bond device's [`Device::lower_depth`]: a bond enslaved to a bond is read while its
    /// upper bond holds its own `stats` lock, of the same class, so each takes it in the
    /// lockdep subclass of its depth (bond_get_stats()'s `spin_lock_nested()`).
    fn fold_stats(&self, depth: u32, slaves: &[Arc<Slave>], out: &mut Stats64) {
        let mut acc = self.stats.lock_nested(depth);
        *out = *acc;
        for s in slaves {
            let new = s.dev.stats();
            let mut last = s.last_stats.lock();
            fold(out.as_array_mut(), new.as_array(), last.as_array());
            *last = new;
        }
        *acc = *out;
    }

    /// Takes a fresh snapshot of `slave`'s counters, from which later reads count.
    pub(crate) fn reset_slave_stats(&self, slave: &Slave) {
        *slave.last_stats.lock() = slave.dev.stats();
    }

    /// Folds a leaving slave's last counters into the bond's (bond_get_stats before release).
    pub(crate) fn absorb_slave_stats(&self, dev: &Device) {
        let guard = rcu::read_lock();
        let mut tmp = Stats64::zeroed();
        self.fold_stats(dev.lower_depth(), self.slaves(&guard), &mut tmp);
    }

    /// Queues delayed work `ID` of `dev` after `delay` jiffies, on the bond's queue (nothing
    /// before `init` attached it).
    pub(crate) fn queue_work<const ID: u64>(dev: &BondDev, delay: usize)
    where
        Bond: DeviceWork<ID>,
    {
        delayed::enqueue::<BondDev, ID>(dev.into(), delay as _);
    }

    /// Queues delayed work `ID` of `dev` after `delay` jiffies, moving its timer if it was
    /// pending (`mod_delayed_work`).
    pub(crate) fn requeue_work<const ID: u64>(dev: &BondDev, delay: usize)
    where
        Bond: DeviceWork<ID>,
    {
        delayed::modify::<BondDev, ID>(dev.into(), delay as _);
    }

    /// Cancels delayed work `ID` and waits for it (never call from that work).
    pub(crate) fn cancel_work<const ID: u64>(dev: &BondDev)
    where
        Bond: DeviceWork<ID>,
    {
        delayed::cancel_sync::<BondDev, ID>(dev);
    }
}

/// The receive path's copy of the ARP targets a bond starts with.
fn arp_targets(targets: &[[u8; 4]]) -> [AtomicU32; MAX_ARP_TARGETS] {
    core::array::from_fn(|i| AtomicU32::new(u32::from_ne_bytes(targets.get(i).copied().unwrap_or([0; 4]))))
}

/// bond_fold_stats(): adds what each counter grew by since `old`, treating counters that
/// fit in 32 bits as 32-bit counters that may wrap, and ignoring counters that went back.
fn fold(res: &mut [u64; STATS64_FIELDS], new: &[u64; STATS64_FIELDS], old: &[u64; STATS64_FIELDS]) {
    for i in 0..STATS64_FIELDS {
        let (nv, ov) = (new[i], old[i]);
        let mut delta = nv.wrapping_sub(ov) as i64;
        if (nv | ov) >> 32 == 0 {
            delta = i64::from((nv as u32).wrapping_sub(ov as u32) as i32);
        }
        if delta > 0 {
            res[i] = res[i].wrapping_add(delta as u64);
        }
    }
}

/// bond_set_carrier(): the bond has carrier while one slave's link is up, unless the mode
/// decides (802.3ad: while the active aggregator has `min_links` ports). Returns `true` if
/// the carrier changed.
pub(crate) fn set_carrier(dev: &BondDev) -> bool {
    let bond = dev.data();
    if let Some(changed) = bond.mode_ops().set_carrier(dev) {
        return changed;
    }
    let up = {
        let guard = rcu::read_lock();
        bond.slaves(&guard).iter().any(|s| s.link() == link::UP)
    };
    if up == dev.carrier_ok() {
        return false;
    }
    if up {
        dev.carrier_on();
    } else {
        dev.carrier_off();
    }
    true
}

/// Sets or clears promiscuity/allmulti on the slaves that carry the bond's traffic
/// (bond_set_promiscuity, bond_set_allmulti).
fn for_rx_slaves(dev: &BondDev, rtnl: &Rtnl, f: impl Fn(&Device) -> Result) -> Result {
    let bond = dev.data();
    if bond.uses_primary() {
        if let Some(s) = bond.curr_active_arc() {
            f(&s.dev)?;
        }
        return Ok(());
    }
    let _ = rtnl;
    for s in enslave::slave_list(dev)?.iter() {
        f(&s.dev)?;
    }
    Ok(())
}

#[vtable]
impl Driver for Bond {
    /// bond_netdev_ops' `.ndo_features_check = passthru_features_check`: the slaves decide.
    const FEATURES_PASSTHRU: bool = true;

    fn setup(dev: &mut Setup<'_>) -> impl PinInit<Self> {
        let d = globals::defaults();
        dev.ether_setup();
        dev.set_mtu_range(68, 65535);
        dev.update_flags(flags::MASTER, 0);
        dev.update_priv_flags(
            priv_flags::BONDING | priv_flags::UNICAST_FLT | priv_flags::NO_QUEUE,
            priv_flags::XMIT_DST_RELEASE | priv_flags::TX_SKB_SHARING,
        );
        dev.set_lltx(true);
        // bond_setup()'s feature sets (VLAN ids reach the slaves through vlan_rx_add_vid).
        let hw = Features::MASTER_UPPER_DEV_VLAN
            | Features::HW_VLAN_CTAG_RX
            | Features::HW_VLAN_CTAG_FILTER
            | Features::HW_VLAN_STAG_RX
            | Features::HW_VLAN_STAG_FILTER
            | Features::GSO_ENCAP_ALL;
        let features = hw | Features::HW_VLAN_CTAG_TX | Features::HW_VLAN_STAG_TX | Features::GSO_PARTIAL;
        dev.set_features(features, hw, Features::EMPTY, Features::EMPTY);
        pin_init!(Bond {
            params: Params::new(&d),
            strings <- new_mutex!(Strings::new(&d)),
            entries <- new_mutex!(KVec::new()),
            slaves: SlaveArray::new(),
            usable: SlaveArray::new(),
            all: SlaveArray::new(),
            graves <- new_mutex!(Graveyard::new()),
            dissector: FlowDissector::new(hash::ENCAP_KEYS),
            curr_active: RcuBox::empty(),
            primary: RcuBox::empty(),
            force_primary: AtomicBool::new(false),
            send_peer_notif: AtomicU32::new(0),
            igmp_retrans: AtomicU32::new(0),
            mii_looking: AtomicBool::new(false),
            rr_tx_counter: RcuBox::empty(),
            stats <- new_spinlock!(Stats64::zeroed()),
            mii_work <- new_delayed_work!("rbond mii"),
            mcast_work <- new_delayed_work!("rbond mcast"),
            ad_work <- new_delayed_work!("rbond 3ad"),
            slave_arr_work <- new_delayed_work!("rbond slave_arr"),
            lacp <- new_spinlock_bh!(Lacp::new()),
            lacp_rx: AtomicBool::new(false),
            ad_stats: AdStats::default(),
            alb <- new_spinlock_bh!(alb::Tables::new()),
            alb_promisc: alb::Promisc::default(),
            rlb_rx: AtomicBool::new(false),
            alb_work <- new_delayed_work!("rbond alb"),
            arp_targets: arp_targets(&d.arp_targets[..d.arp_target_count]),
            ns_targets: crate::monitor::ns::NsTargets::new(),
            current_arp_slave: RcuBox::empty(),
            arp_rx: AtomicBool::new(false),
            arp_work <- new_delayed_work!("rbond arp"),
            surfaces <- new_mutex!(Surfaces::default()),
        })
    }

    /// bond_init(): the bond's ordered workqueue, a random MAC if it has none. The works
    /// hold the queue; it goes with the bond (bond_destructor()'s destroy_workqueue).
    fn init(dev: &Unregistered<Bond>, rtnl: &Rtnl) -> Result {
        let name = dev.name();
        let wq = Arc::new(OwnedQueue::new_ordered(name.as_cstr(), true)?, GFP_KERNEL)?;
        dev.data().mii_work.attach(&wq)?;
        dev.data().mcast_work.attach(&wq)?;
        dev.data().ad_work.attach(&wq)?;
        dev.data().slave_arr_work.attach(&wq)?;
        dev.data().alb_work.attach(&wq)?;
        dev.data().arp_work.attach(&wq)?;
        if dev.addr().is_zero() && dev.addr_assign_type() == 0 {
            dev.random_hw_addr(rtnl);
        }
        dev.carrier_off();
        Ok(())
    }

    /// bond_uninit(): releases every slave.
    fn uninit(dev: &BondDev, rtnl: &Rtnl) {
        loop {
            let next = {
                let guard = rcu::read_lock();
                dev.data().slaves(&guard).first().map(|s| s.dev.clone())
            };
            let Some(slave_dev) = next else { break };
            if enslave::release(dev, rtnl, &slave_dev, true, true).is_err() {
                break;
            }
        }
        crate::log_bond!(dev, Info, "Released all slaves\n");
        let bond = dev.data();
        let _ = bond.set_curr_active(rtnl, None);
        let _ = bond.set_primary(rtnl, None);
        let _ = bond.set_current_arp_slave(None);
        bond.slaves.clear(&mut bond.graves.lock());
        bond.reset_slave_arr();
        bond.free_retired();
        bond.surfaces.lock().clear(rtnl);
    }

    /// bond_open().
    fn open(dev: &BondDev, rtnl: &Rtnl) -> Result {
        let bond = dev.data();
        if bond.params.mode() == Mode::BalanceRr && bond.rr_tx_counter.get(&rcu::read_lock()).is_none() {
            let counter = KBox::new(CpuCounter::new(GFP_KERNEL)?, GFP_KERNEL)?;
            // It was empty, and only open (under RTNL) fills it: nothing is retired.
            let _ = bond.rr_tx_counter.replace(Some(counter));
        }
        let curr = bond.curr_active_arc();
        let all_active = bond.params.all_slaves_active.get() != 0;
        {
            for s in enslave::slave_list(dev)?.iter() {
                let is_curr = curr.as_ref().map_or(false, |c| Arc::ptr_eq(c, s));
                if bond.uses_primary() && !is_curr {
                    s.set_inactive_flags(rtnl, all_active);
                } else if bond.params.mode() != Mode::Ieee8023ad {
                    s.set_active_flags(rtnl);
                }
            }
        }
        if bond.params.miimon.get() != 0 {
            Bond::queue_work::<MII_WORK>(dev, 0);
        }
        if bond.params.arp_interval.get() != 0 {
            bond.arp_rx.store(true, Ordering::Relaxed);
            Bond::queue_work::<ARP_WORK>(dev, 0);
        }
        bond.mode_ops().open(dev, rtnl, &enslave::slave_list(dev)?)?;
        if bond.params.mode().can_use_xmit_hash() {
            let _ = bond.update_slave_arr(rtnl, None);
        }
        Ok(())
    }

    /// bond_close().
    fn stop(dev: &BondDev, rtnl: &Rtnl) -> Result {
        Bond::cancel_work::<MII_WORK>(dev);
        Bond::cancel_work::<MCAST_WORK>(dev);
        Bond::cancel_work::<AD_WORK>(dev);
        Bond::cancel_work::<SLAVE_ARR_WORK>(dev);
        Bond::cancel_work::<ALB_WORK>(dev);
        Bond::cancel_work::<ARP_WORK>(dev);
        let bond = dev.data();
        bond.arp_rx.store(false, Ordering::Relaxed);
        bond.send_peer_notif.store(0, Ordering::Relaxed);
        bond.mode_ops().close(dev);
        rcu::synchronize();
        if bond.uses_primary() {
            if let Some(s) = bond.curr_active_arc() {
                s.dev.unsync_addr_lists_from(dev);
            }
        } else {
            let guard = rcu::read_lock();
            for s in bond.slaves(&guard) {
                s.dev.unsync_addr_lists_from(dev);
                bond.mode_ops().forget(rtnl, s);
            }
        }
        Ok(())
    }

    #[inline]
    fn start_xmit(dev: &BondDev, skb: SkBuff, rcu: &rcu::Guard, bh: &SoftirqsOff) {
        xmit::start_xmit(dev, skb, rcu, bh);
    }

    /// bond_vlan_rx_add_vid(): every slave takes the VLAN, or none does.
    fn vlan_rx_add_vid(dev: &BondDev, rtnl: &Rtnl, proto: VlanProto, vid: u16) -> Result {
        let slaves = enslave::slave_list(dev)?;
        for (i, s) in slaves.iter().enumerate() {
            if let Err(e) = s.dev.vlan_vid_add(rtnl, proto, vid) {
                for done in &slaves[..i] {
                    done.dev.vlan_vid_del(rtnl, proto, vid);
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// bond_vlan_rx_kill_vid().
    fn vlan_rx_kill_vid(dev: &BondDev, rtnl: &Rtnl, proto: VlanProto, vid: u16) -> Result {
        for s in enslave::slave_list(dev)?.iter() {
            s.dev.vlan_vid_del(rtnl, proto, vid);
        }
        alb::clear_vlan(dev.data(), vid);
        Ok(())
    }

    fn select_queue(dev: &BondDev, skb: &SkBuff, _sb_dev: Option<&Device>) -> u16 {
        xmit::select_queue(dev, skb)
    }

    /// bond_header_ops: a bond that took a non-Ethernet slave's link layer builds headers
    /// with its active slave's `header_ops`.
    fn header_lower<'a>(dev: &'a BondDev, rcu: &'a rcu::Guard) -> Option<&'a Device> {
        dev.data().curr_active(rcu).map(|s| &*s.dev)
    }

    /// bond_get_stats(): the bond's counters plus what each slave's grew by.
    fn get_stats64(dev: &BondDev, stats: &mut Stats64) {
        let bond = dev.data();
        let guard = rcu::read_lock();
        bond.fold_stats(dev.lower_depth(), bond.slaves(&guard), stats);
    }

    /// bond_set_mac_address(): every slave takes the new address, or none does.
    fn set_mac_address(dev: &BondDev, rtnl: &Rtnl, addr: &HwAddr) -> Result {
        let bond = dev.data();
        if bond.params.mode() == Mode::BalanceAlb {
            return alb::set_mac_address(dev, rtnl, addr);
        }
        if bond.params.fail_over_mac.get() != 0 && bond.params.mode() == Mode::ActiveBackup {
            return Ok(());
        }
        if !alb::is_valid_ether_addr(addr) {
            return Err(EADDRNOTAVAIL);
        }
        let slaves = enslave::slave_list(dev)?;
        let old = dev.addr();
        for (i, s) in slaves.iter().enumerate() {
            if let Err(e) = s.dev.set_mac_address(rtnl, addr, None) {
                for r in &slaves[..i] {
                    let _ = r.dev.set_mac_address(rtnl, &old, None);
                }
                return Err(e);
            }
        }
        dev.set_hw_addr(rtnl, addr)
    }

    /// bond_change_mtu(): every slave takes the new MTU, or none does.
    fn change_mtu(dev: &BondDev, rtnl: &Rtnl, mtu: u32) -> Result {
        let slaves = enslave::slave_list(dev)?;
        let old = dev.mtu();
        for (i, s) in slaves.iter().enumerate() {
            if let Err(e) = s.dev.set_mtu(rtnl, mtu) {
                for r in &slaves[..i] {
                    let _ = r.dev.set_mtu(rtnl, old);
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// bond_set_rx_mode(): address lists to the active slave, or to all slaves.
    fn set_rx_mode(dev: &BondDev, locked: &AddrListsLocked<'_>) {
        let bond = dev.data();
        let guard = rcu::read_lock();
        if bond.uses_primary() {
            if let Some(s) = bond.curr_active(&guard) {
                let _ = s.dev.sync_addr_lists_from(locked, false);
            }
        } else {
            for s in bond.slaves(&guard) {
                let _ = s.dev.sync_addr_lists_from(locked, true);
            }
        }
    }

    /// bond_change_rx_flags(). The bond has `IFF_UNICAST_FLT`, so this runs under RTNL where
    /// it may sleep.
    fn change_rx_flags(dev: &BondDev, ctx: RxFlagsContext<'_>, change: u32) {
        let RxFlagsContext::Rtnl(rtnl) = ctx else { return };
        let f = dev.flags();
        if change & flags::PROMISC != 0 {
            let inc = if f & flags::PROMISC != 0 { 1 } else { -1 };
            let _ = for_rx_slaves(dev, rtnl, |d| d.set_promiscuity(rtnl, inc));
        }
        if change & flags::ALLMULTI != 0 {
            let inc = if f & flags::ALLMULTI != 0 { 1 } else { -1 };
            let _ = for_rx_slaves(dev, rtnl, |d| d.set_allmulti(rtnl, inc));
        }
    }

    fn add_slave(dev: &BondDev, rtnl: &Rtnl, lower: &Device, extack: Option<&mut ExtAck>) -> Result {
        enslave::enslave(dev, rtnl, lower, extack)
    }

    fn del_slave(dev: &BondDev, rtnl: &Rtnl, lower: &Device) -> Result {
        enslave::release(dev, rtnl, lower, false, false)
    }

    /// bond_fix_features().
    fn fix_features(bond: &Bond, _rtnl: &Rtnl, features: Features) -> Features {
        let mask = features;
        let mut f = features.base();
        let guard = rcu::read_lock();
        for s in bond.slaves(&guard) {
            f = Features::increment(f, s.dev.features(), mask);
        }
        f.add_tso(mask)
    }

    /// bond_xmit_get_slave(): the slave `skb` would leave through (for RDMA and TLS
    /// offload); none in broadcast.
    fn get_xmit_slave<'a>(
        dev: &'a BondDev,
        skb: &SkBuff,
        all_slaves: bool,
        rcu: &'a rcu::Guard,
    ) -> Option<&'a Device> {
        let bond = dev.data();
        let slave = match bond.params.mode() {
            Mode::BalanceRr => xmit::roundrobin_slave(dev, bond.slaves(rcu), skb, rcu),
            Mode::ActiveBackup => bond.curr_active(rcu),
            Mode::BalanceXor | Mode::Ieee8023ad => {
                let slaves = if all_slaves { bond.all_slaves(rcu) } else { bond.usable_slaves(rcu) };
                crate::xor::slave_get(bond, skb, slaves)
            }
            Mode::BalanceTlb => alb::xmit::tlb_slave_get(bond, skb, rcu, None),
            // An ARP is not steered here: that would change the receive table (C does).
            Mode::BalanceAlb => alb::xmit::alb_slave_get(bond, skb, rcu, None),
            Mode::Broadcast => None,
        };
        slave.map(|s| &*s.dev)
    }

    fn get_drvinfo(_dev: &BondDev, info: &mut ethtool::DrvInfo) {
        info.set_driver(c_str!("rbond"));
        info.set_fw_version(c_str!("2"));
    }

    /// bond_ethtool_get_link_ksettings(): the sum of the usable slaves' speeds.
    fn get_link_ksettings(dev: &BondDev, rtnl: &Rtnl, ks: &mut ethtool::LinkKsettings) -> Result {
        let mut speed: u32 = 0;
        let mut duplex = ethtool::DUPLEX_UNKNOWN;
        let slaves = enslave::slave_list(dev)?;
        for s in slaves.iter() {
            if s.can_tx() {
                s.update_speed_duplex(rtnl);
                if s.speed() != ethtool::SPEED_UNKNOWN {
                    speed = speed.saturating_add(s.speed());
                }
                if duplex == ethtool::DUPLEX_UNKNOWN && s.duplex() != ethtool::DUPLEX_UNKNOWN {
                    duplex = s.duplex();
                }
            }
        }
        ks.set_duplex(duplex);
        ks.set_port(ethtool::PORT_OTHER);
        ks.set_speed(if speed != 0 { speed } else { ethtool::SPEED_UNKNOWN });
        Ok(())
    }
}
