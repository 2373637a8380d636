// SPDX-License-Identifier: GPL-2.0

//! 802.3ad in the bond: what bond_main.c and bond_3ad.c do around the protocol of
//! [`crate::lacp`]. The bond binds a port when it enslaves, unbinds it on release, runs the
//! state machines every 100 ms (`bond_3ad_state_machine_handler`), hands received slow
//! frames to them (`bond_3ad_lacpdu_recv`), sends their LACPDUs and Marker responses, and
//! tells them of link, speed and option changes. The protocol state sits under the bond's
//! mode lock (`bond->mode_lock`, a bottom-half spinlock: the receive path takes it too).
//!
//! Slave flags change without telling the stack at once (`BOND_SLAVE_NOTIFY_LATER`); the
//! state machine work tells it afterwards under RTNL, as C does.

use crate::bond::{Bond, BondDev, AD_WORK, SLAVE_ARR_WORK};
use crate::lacp::engine::{AdSelect, AggInfo, Config, Env, Flags, Lacp, Log};
use crate::lacp::pdu::{self, Lacpdu, Received, PDU_LEN, SLOW_PROTOCOLS_MULTICAST};
use crate::lacp::port::{Port, SlaveLink};
use crate::modes::{ModeOps, Transmitters};
use crate::slave::{link, Slave};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::{
    net::{skb::ETH_HLEN, Rtnl, SkBuff},
    prelude::*,
    sync::{rcu, Arc},
    types::ARef,
};

/// The 802.3ad counters of a bond or a slave (`struct bond_3ad_stats`), in the order of
/// `BOND_3AD_STAT_*`.
#[derive(Default)]
pub(crate) struct AdStats([AtomicU64; 9]);

/// Which counter of [`AdStats`].
#[derive(Clone, Copy)]
pub(crate) enum Stat {
    LacpduRx = 0,
    LacpduTx,
    LacpduUnknownRx,
    LacpduIllegalRx,
    MarkerRx,
    /// Marker Information sent: bonding.ko never sends one, so this stays 0 in both drivers.
    #[allow(dead_code)]
    MarkerTx,
    MarkerRespRx,
    MarkerRespTx,
    MarkerUnknownRx,
}

impl AdStats {
    fn inc(&self, s: Stat) {
        self.0[s as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// The counters, in `BOND_3AD_STAT_*` order.
    pub(crate) fn get(&self) -> [u64; 9] {
        core::array::from_fn(|i| self.0[i].load(Ordering::Relaxed))
    }
}

/// Counts `s` on the slave and on its bond.
fn count(bond: &Bond, slave: &Slave, s: Stat) {
    slave.ad_stats.inc(s);
    bond.ad_stats.inc(s);
}

/// The unknown-speed message was printed (C prints it once: `pr_err_once()`).
static UNKNOWN_SPEED_LOGGED: AtomicBool = AtomicBool::new(false);

/// `TC_PRIO_CONTROL`: LACPDUs go out ahead of the data.
const TC_PRIO_CONTROL: u32 = 7;

/// The slave's number for the protocol ([`crate::lacp::port::Port::key`]).
pub(crate) fn key(slave: &Slave) -> u32 {
    slave.key()
}

/// The protocol's view of the bond: its slaves (the published list the caller holds), its
/// carrier and its log.
struct BondEnv<'a> {
    dev: &'a BondDev,
    slaves: &'a [Arc<Slave>],
}

impl BondEnv<'_> {
    fn slave(&self, key: u32) -> Option<&Arc<Slave>> {
        self.slaves.iter().find(|s| self::key(s) == key)
    }
}

/// The options the protocol reads.
fn config(bond: &Bond) -> Config {
    let p = &bond.params;
    Config {
        ad_select: AdSelect::from_value(u64::from(p.ad_select.get())),
        coupled_control: p.coupled_control.get() != 0,
        lacp_active: p.lacp_active.get() != 0,
        lacp_fast: p.lacp_fast.get() != 0,
        min_links: p.min_links.get(),
        user_port_key: p.ad_user_port_key.get() as u16,
    }
}

/// What the protocol knows of a slave's link.
fn slave_link(s: &Slave) -> SlaveLink {
    SlaveLink { up: s.link() == link::UP, running: s.is_up(), speed: s.speed(), duplex: s.duplex() }
}

impl Env for BondEnv<'_> {
    fn config(&self) -> Config {
        config(self.dev.data())
    }

    fn link(&self, key: u32) -> SlaveLink {
        self.slave(key).map_or(SlaveLink::default(), |s| slave_link(s))
    }

    fn is_active(&self, key: u32) -> bool {
        self.slave(key).map_or(false, |s| s.is_active())
    }

    fn set_flags(&mut self, key: u32, flags: Flags) {
        let Some(s) = self.slave(key) else { return };
        let all_active = self.dev.data().params.all_slaves_active.get() != 0;
        match flags {
            Flags::Active => s.set_active_flags_later(),
            Flags::Inactive => s.set_inactive_flags_later(all_active),
            Flags::TxDisabled => s.set_backup_later(true),
        }
    }

    fn send(&mut self, key: u32, pdu: &Lacpdu) -> bool {
        let Some(s) = self.slave(key) else { return false };
        if send_pdu(s, &pdu.encode(), true).is_err() {
            return false;
        }
        count(self.dev.data(), s, Stat::LacpduTx);
        true
    }

    fn carrier_ok(&self) -> bool {
        self.dev.carrier_ok()
    }

    fn set_carrier(&mut self, on: bool) {
        if on {
            self.dev.carrier_on();
        } else {
            self.dev.carrier_off();
        }
    }

    fn log(&mut self, key: Option<u32>, event: Log) {
        let dev = self.dev;
        if event == Log::NoPartnerResponse {
            // net_warn_ratelimited("%s: Warning: ...", bond->dev->name).
            if kernel::net::device::ratelimit() {
                crate::log_plain!(Warn, "{}: Warning: No 802.3ad response from the link partner for any adapters in the bond\n", dev.name());
            }
            return;
        }
        let Some(s) = key.and_then(|k| self.slave(k)) else { return };
        match event {
            Log::Loopback => log_slave!(dev, s.dev, Err, "An illegal loopback occurred on slave\nCheck the configuration to verify that all adapters are connected to 802.3ad compliant switch ports\n"),
            Log::NoSuitableAggregator(port) => log_slave!(dev, s.dev, Err, "Port {} did not find a suitable aggregator\n", port),
            Log::SpeedZero(port) => log_slave!(dev, s.dev, Err, "speed changed to 0 on port {}\n", port),
            Log::UnknownSpeed(speed, port) => {
                // pr_err_once(): the first time only, whichever bond.
                if !UNKNOWN_SPEED_LOGGED.swap(true, Ordering::Relaxed) {
                    crate::log_plain!(
                        Err,
                        "{}: (slave {}): unknown ethtool speed ({}) for port {} (set it to 0)\n",
                        dev.name(),
                        s.dev.name(),
                        speed as i32,
                        port
                    );
                }
            }
            Log::NoPartnerResponse => {}
            Log::RemovingActiveAggregator => log_slave!(dev, s.dev, Info, "Removing an active aggregator\n"),
            Log::NoNewAggregator => log_slave!(dev, s.dev, Warn, "unbinding aggregator, and could not find a new aggregator for its ports\n"),
        }
    }
}

/// ad_lacpdu_send() and ad_marker_send(): `pdu` to the Slow Protocols address, from the
/// slave's permanent address (which is how a looped-back PDU is known). Fails only without
/// memory for the frame; what the device does with it is not the sender's concern, as in C.
fn send_pdu(s: &Slave, pdu: &[u8; PDU_LEN], control_priority: bool) -> kernel::error::Result {
    let mut frame = [0u8; ETH_HLEN + PDU_LEN];
    frame[..6].copy_from_slice(&SLOW_PROTOCOLS_MULTICAST);
    frame[6..12].copy_from_slice(s.perm_hwaddr.as_bytes().get(..6).unwrap_or(&[0; 6]));
    frame[12..14].copy_from_slice(&pdu::ETH_P_SLOW.to_be_bytes());
    frame[ETH_HLEN..].copy_from_slice(pdu);
    let mut skb = SkBuff::alloc(16, frame.len())?;
    skb.put(&frame)?;
    skb.reset_headers();
    skb.set_protocol(pdu::ETH_P_SLOW);
    if control_priority {
        skb.set_priority(TC_PRIO_CONTROL);
    }
    let _ = skb.transmit(&s.dev);
    Ok(())
}

/// Runs `f` on the bond's protocol state with the bond as its environment, with the slaves
/// `slaves` (the published list, or a list the caller holds under RTNL).
fn with_lacp<R>(dev: &BondDev, slaves: &[Arc<Slave>], f: impl FnOnce(&mut Lacp, &mut BondEnv<'_>) -> R) -> R {
    let mut env = BondEnv { dev, slaves };
    let mut lacp = dev.data().lacp.lock();
    f(&mut lacp, &mut env)
}

/// Runs `f` like [`with_lacp`], with the published slaves.
fn with_published<R>(dev: &BondDev, f: impl FnOnce(&mut Lacp, &mut BondEnv<'_>) -> R) -> R {
    let guard = rcu::read_lock();
    with_lacp(dev, dev.data().slaves(&guard), f)
}

/// bond_enslave()'s 802.3ad step for `slave`, already in `slaves` (the bond's list with it
/// last): the first slave (re)starts the bond's state (bond_3ad_initialize()), then the port
/// is bound, disabled until the machines enable it.
fn bind(dev: &BondDev, slaves: &[Arc<Slave>], slave: &Slave) -> kernel::error::Result {
    let first = slaves.len() == 1;
    let (prio, system) = system(dev);
    let mac = bond_mac(dev);
    with_lacp(dev, slaves, |lacp, env| {
        if first {
            lacp.initialize(prio, system);
        }
        lacp.bind(key(slave), mac, env)
    })
}

/// The bond's address as the protocol stores it.
fn bond_mac(dev: &BondDev) -> [u8; 6] {
    let a = dev.addr();
    let mut mac = [0u8; 6];
    if let Some(b) = a.as_bytes().get(..6) {
        mac.copy_from_slice(b);
    }
    mac
}

/// The system priority and address: `ad_actor_sys_prio`, and `ad_actor_system` or else the
/// bond's address.
fn system(dev: &BondDev) -> (u16, [u8; 6]) {
    let bond = dev.data();
    let prio = bond.params.ad_actor_sys_prio.get() as u16;
    let configured = bond.strings.lock().ad_actor_system;
    (prio, if configured == [0; 6] { bond_mac(dev) } else { configured })
}

/// bond_3ad_update_ad_actor_settings(): `ad_actor_sys_prio`, `ad_actor_system` or a port
/// priority changed.
pub(crate) fn update_actor_settings(dev: &BondDev) {
    let (prio, system) = system(dev);
    dev.data().lacp.lock().update_actor_settings(prio, system);
}

/// Slave `slave`'s `actor_port_prio` changed.
pub(crate) fn set_port_priority(dev: &BondDev, slave: &Slave, prio: u16) {
    dev.data().lacp.lock().set_port_priority(key(slave), prio);
    update_actor_settings(dev);
}

/// bond_3ad_update_lacp_rate().
pub(crate) fn update_lacp_rate(dev: &BondDev) {
    let fast = dev.data().params.lacp_fast.get() != 0;
    dev.data().lacp.lock().update_lacp_rate(fast);
}

/// bond_3ad_update_lacp_active().
pub(crate) fn update_lacp_active(dev: &BondDev) {
    let active = dev.data().params.lacp_active.get() != 0;
    dev.data().lacp.lock().update_lacp_active(active);
}

/// 802.3ad's hooks in the bond core (bond_main.c's `BOND_MODE_8023AD` branches).
pub(crate) struct Ieee8023ad;

impl ModeOps for Ieee8023ad {
    /// bond_enslave()'s 802.3ad step: the slave starts inactive (the state machines enable
    /// the active aggregator's slaves) and its port is bound.
    fn enslave(&self, dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>], slave: &Arc<Slave>) -> Result {
        slave.set_inactive_flags(rtnl, dev.data().params.all_slaves_active.get() != 0);
        bind(dev, slaves, slave)
    }

    /// bond_3ad_unbind_slave(), with `slaves` still holding `slave`.
    fn unbind(&self, dev: &BondDev, slaves: &[Arc<Slave>], slave: &Slave) {
        with_lacp(dev, slaves, |lacp, env| lacp.unbind(key(slave), env));
    }

    /// bond_enslave()'s 802.3ad step on a bond that is up: the slave listens to the LACP
    /// address.
    fn listen(&self, rtnl: &Rtnl, slave: &Slave) {
        let _ = slave.dev.mc_add(rtnl, &SLOW_PROTOCOLS_MULTICAST);
    }

    /// bond_hw_addr_flush()'s 802.3ad step: the slave stops listening to the LACP address.
    fn forget(&self, rtnl: &Rtnl, slave: &Slave) {
        let _ = slave.dev.mc_del(rtnl, &SLOW_PROTOCOLS_MULTICAST);
    }

    /// bond_open()'s 802.3ad step: the machines start, the first selection at their first
    /// run, and every slave listens to the LACP address.
    fn open(&self, dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>]) -> Result {
        dev.data().lacp.lock().initiate_agg_selection(1);
        dev.data().lacp_rx.store(true, Ordering::Relaxed);
        for s in slaves {
            self.listen(rtnl, s);
        }
        Bond::queue_work::<AD_WORK>(dev, 0);
        Ok(())
    }

    /// bond_close()'s 802.3ad step, after the works were cancelled: received frames are no
    /// longer for the protocol.
    fn close(&self, dev: &BondDev) {
        dev.data().lacp_rx.store(false, Ordering::Relaxed);
    }

    /// bond_3ad_handle_link_change() (under RTNL): then the transmit array follows.
    fn link_changed(&self, dev: &BondDev, rtnl: &Rtnl, slaves: &[Arc<Slave>], slave: &Slave, up: bool) {
        with_lacp(dev, slaves, |lacp, env| lacp.link_change(key(slave), up, env));
        let _ = dev.data().update_slave_arr(rtnl, None);
    }

    /// bond_3ad_adapter_speed_duplex_changed().
    fn speed_duplex_changed(&self, dev: &BondDev, slaves: &[Arc<Slave>], slave: &Slave) {
        with_lacp(dev, slaves, |lacp, env| lacp.speed_duplex_changed(key(slave), env));
    }

    /// bond_3ad_set_carrier(), once the bond has slaves.
    fn set_carrier(&self, dev: &BondDev) -> Option<bool> {
        if !dev.data().has_slaves() {
            return None;
        }
        let before = dev.carrier_ok();
        with_published(dev, |lacp, env| lacp.set_carrier(env));
        Some(before != dev.carrier_ok())
    }

    fn filters_transmitters(&self) -> bool {
        true
    }

    /// Only the active aggregator's ports transmit; with no active aggregator, none does.
    fn transmitters(
        &self,
        bond: &Bond,
        slaves: &mut dyn Iterator<Item = &Slave>,
        marks: &mut KVec<bool>,
    ) -> Transmitters {
        let lacp = bond.lacp.lock();
        let Some(id) = lacp.active_agg_info().map(|i| i.aggregator_id) else {
            return Transmitters::Nothing;
        };
        for s in slaves {
            if marks.len() < marks.capacity() {
                // Cannot allocate: there is room.
                let _ = marks.push(lacp.aggregator_of(key(s)) == Some(id), GFP_ATOMIC);
            }
        }
        Transmitters::Marked
    }
}

/// The active aggregator (bond_3ad_get_active_agg_info()).
pub(crate) fn active_agg_info(dev: &BondDev) -> Option<AggInfo> {
    dev.data().lacp.lock().active_agg_info()
}

/// The bond's system priority and address as the protocol uses them (`BOND_AD_INFO(bond)
/// .system`, set by the first slave and by the options).
pub(crate) fn system_in_use(dev: &BondDev) -> (u16, [u8; 6]) {
    let lacp = dev.data().lacp.lock();
    (lacp.system_priority, lacp.system)
}

/// A copy of `slave`'s port, and the number of the aggregator it is attached to, for what
/// /proc, sysfs and netlink show.
pub(crate) fn port_view(dev: &BondDev, slave: &Slave) -> Option<(Port, Option<u16>)> {
    let lacp = dev.data().lacp.lock();
    let i = lacp.find(key(slave))?;
    Some((lacp.members[i].port.clone(), lacp.aggregator_of(key(slave))))
}

/// The state machine work: one tick of every port, then the slave flags are told to the
/// stack and the transmit array rebuilt if the tick changed them.
pub(crate) fn state_machine(dev: ARef<BondDev>) {
    let update = with_published(&dev, |lacp, env| lacp.tick(env));
    if update {
        Bond::queue_work::<SLAVE_ARR_WORK>(&dev, 0);
    }
    notify_slave_states(&dev);
    Bond::queue_work::<AD_WORK>(&dev, kernel::time::msecs_to_jiffies(100) as usize);
}

/// bond_slave_state_notify(): tells the stack of the slave flags changed since, if RTNL is
/// free (otherwise the next tick does). The notifier chain may sleep: it runs on a counted
/// copy of the slave list, outside RCU.
fn notify_slave_states(dev: &BondDev) {
    let pending = {
        let guard = rcu::read_lock();
        dev.data().slaves(&guard).iter().any(|s| s.should_notify())
    };
    if !pending {
        return;
    }
    if let Some(rtnl) = Rtnl::try_lock() {
        if let Ok(slaves) = crate::enslave::slave_list(dev) {
            for s in slaves.iter() {
                s.notify_state(&rtnl);
            }
        }
    }
}

/// bond_slave_arr_handler(): rebuilds the transmit array under RTNL, retrying while RTNL is
/// busy.
pub(crate) fn rebuild_slave_arr(dev: ARef<BondDev>) {
    match Rtnl::try_lock() {
        Some(rtnl) => {
            if dev.data().update_slave_arr(&rtnl, None).is_err() {
                Bond::queue_work::<SLAVE_ARR_WORK>(&dev, 1);
            }
        }
        None => Bond::queue_work::<SLAVE_ARR_WORK>(&dev, 1),
    }
}

/// bond_3ad_lacpdu_recv(): a frame received by `slave`, if it is a LACPDU or Marker, is
/// counted and taken by the protocol (`None`: consumed); other slow frames are counted and
/// go on, the rest go on untouched.
pub(crate) fn receive(dev: &BondDev, slave: &Slave, skb: SkBuff) -> Option<SkBuff> {
    let bond = dev.data();
    if !bond.lacp_rx.load(Ordering::Relaxed) || skb.protocol() != pdu::ETH_P_SLOW {
        return Some(skb);
    }
    let Some(header) = skb.eth_header() else { return Some(skb) };
    let mut dest = [0u8; 6];
    dest.copy_from_slice(&header[..6]);
    let body = skb.read::<PDU_LEN>(0);
    let received = pdu::classify(skb.protocol(), &dest, body.as_ref());
    match &received {
        Received::Other => {}
        Received::Illegal => count(bond, slave, Stat::LacpduIllegalRx),
        Received::Unknown => count(bond, slave, Stat::LacpduUnknownRx),
        Received::Lacpdu(pdu) => {
            count(bond, slave, Stat::LacpduRx);
            let guard = rcu::read_lock();
            with_lacp(dev, bond.slaves(&guard), |lacp, env| lacp.rx_lacpdu(key(slave), pdu, env));
        }
        Received::MarkerInformation(response) => {
            count(bond, slave, Stat::MarkerRx);
            if send_pdu(slave, response, false).is_ok() {
                count(bond, slave, Stat::MarkerRespTx);
            }
        }
        Received::MarkerResponse => count(bond, slave, Stat::MarkerRespRx),
        Received::MarkerUnknown => count(bond, slave, Stat::MarkerUnknownRx),
    }
    if received.consumed() {
        skb.consume();
        return None;
    }
    Some(skb)
}
