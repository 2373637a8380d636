// SPDX-License-Identifier: GPL-2.0

//! One bonded device: C's `struct slave` (include/net/bonding.h) and the receive handler
//! bonding attaches to it (bond_main.c: `bond_handle_frame`).
//!
//! Everything the transmit path, the receive path, the monitors and the show functions read
//! is an atomic; changes happen with RTNL held.

use crate::ad::AdStats;
use crate::bond::Bond;
use crate::options::Mode;
use crate::params::MAX_ARP_TARGETS;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU16, AtomicU32, AtomicU8, AtomicUsize, Ordering};
use kernel::{
    net::{
        device::{Device, DriverDevice, HwAddr, Stats64},
        ethtool,
        rx_handler::{RxHandler, RxResult},
        skb::pkt_type,
        Rtnl, SkBuff,
    },
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
    time,
    types::ARef,
};

/// Link states of a slave (C: `BOND_LINK_*`), as the MII monitor moves it between them.
pub(crate) mod link {
    /// Link is up.
    pub(crate) const UP: u8 = 0;
    /// Link went down, waiting out `downdelay`.
    pub(crate) const FAIL: u8 = 1;
    /// Link is down.
    pub(crate) const DOWN: u8 = 2;
    /// Link came back, waiting out `updelay`.
    pub(crate) const BACK: u8 = 3;
    /// No proposed change (C: `BOND_LINK_NOCHANGE`, -1 as a `s8`).
    pub(crate) const NOCHANGE: u8 = 0xff;

    /// bond_slave_link_status(): the text /proc and sysfs show.
    pub(crate) fn name(link: u8) -> &'static str {
        match link {
            UP => "up",
            FAIL => "going down",
            DOWN => "down",
            BACK => "going back",
            _ => "unknown",
        }
    }
}

/// A slave of a bond.
#[pin_data]
pub(crate) struct Slave {
    /// The lower device.
    pub(crate) dev: ARef<Device>,
    /// The bond it belongs to.
    pub(crate) bond: ARef<DriverDevice<Bond>>,
    link: AtomicU8,
    link_new_state: AtomicU8,
    /// `BOND_STATE_BACKUP` when true, `BOND_STATE_ACTIVE` when false.
    backup: AtomicBool,
    /// Frames received here go only to sockets bound to the device (RX_HANDLER_EXACT).
    inactive: AtomicBool,
    /// Monitor periods left of `updelay`/`downdelay`.
    pub(crate) delay: AtomicI32,
    /// How often the link went down.
    pub(crate) link_failure_count: AtomicU32,
    /// jiffies of the last time the link came up.
    pub(crate) last_link_up: AtomicUsize,
    speed: AtomicU32,
    duplex: AtomicU8,
    /// The device's address before it joined the bond (restored on release).
    pub(crate) perm_hwaddr: HwAddr,
    /// The device's MTU before it joined the bond (restored on release).
    pub(crate) original_mtu: u32,
    /// `queue_id`.
    pub(crate) queue_id: AtomicU16,
    /// `prio`: failover priority in active-backup.
    pub(crate) prio: AtomicI32,
    /// The device's counters when the bond last read them (for `bond_fold_stats`).
    #[pin]
    pub(crate) last_stats: SpinLock<Stats64>,
    /// The state changed without telling the stack; the 802.3ad work tells it.
    should_notify: AtomicBool,
    /// The link changed without telling the stack (`should_notify_link`).
    should_notify_link: AtomicBool,
    /// 802.3ad counters.
    pub(crate) ad_stats: AdStats,
    /// jiffies of the last frame the ARP monitor counts as received (`last_rx`).
    pub(crate) last_rx: AtomicUsize,
    /// jiffies of the last ARP probe sent (`last_tx`).
    pub(crate) last_tx: AtomicUsize,
    /// jiffies of the last valid ARP from each target (`target_last_arp_rx`).
    pub(crate) target_last_arp_rx: [AtomicUsize; MAX_ARP_TARGETS],
}

impl Slave {
    /// A new slave for `dev`, in the down state.
    pub(crate) fn new(
        dev: &Device,
        bond: &DriverDevice<Bond>,
        original_mtu: u32,
    ) -> Result<Arc<Slave>> {
        let stats = dev.stats();
        Arc::pin_init(
            pin_init!(Slave {
                dev: dev.into(),
                bond: bond.into(),
                link: AtomicU8::new(link::NOCHANGE),
                link_new_state: AtomicU8::new(link::NOCHANGE),
                backup: AtomicBool::new(false),
                inactive: AtomicBool::new(false),
                delay: AtomicI32::new(0),
                link_failure_count: AtomicU32::new(0),
                last_link_up: AtomicUsize::new(0),
                speed: AtomicU32::new(ethtool::SPEED_UNKNOWN),
                duplex: AtomicU8::new(ethtool::DUPLEX_UNKNOWN),
                perm_hwaddr: dev.addr(),
                original_mtu,
                queue_id: AtomicU16::new(0),
                prio: AtomicI32::new(0),
                last_stats <- new_spinlock!(stats),
                should_notify: AtomicBool::new(false),
                should_notify_link: AtomicBool::new(false),
                ad_stats: AdStats::default(),
                last_rx: AtomicUsize::new(0),
                last_tx: AtomicUsize::new(0),
                target_last_arp_rx: [const { AtomicUsize::new(0) }; MAX_ARP_TARGETS],
            }),
            GFP_KERNEL,
        )
    }

    /// The link state ([`link`]).
    #[inline]
    pub(crate) fn link(&self) -> u8 {
        self.link.load(Ordering::Relaxed)
    }

    /// bond_set_slave_link_state(): a new link state, told to the stack's LAG users.
    pub(crate) fn set_link(&self, rtnl: &Rtnl, state: u8) {
        if self.link.swap(state, Ordering::Relaxed) != state {
            self.lower_state_changed(rtnl);
        }
    }

    /// Sets the link state without telling anyone (initial state, 802.3ad corrections).
    pub(crate) fn set_link_quiet(&self, state: u8) {
        self.link.store(state, Ordering::Relaxed);
    }

    /// The state the MII monitor's inspection proposed.
    pub(crate) fn new_link_state(&self) -> u8 {
        self.link_new_state.load(Ordering::Relaxed)
    }

    /// bond_propose_link_state().
    pub(crate) fn propose_link_state(&self, state: u8) {
        self.link_new_state.store(state, Ordering::Relaxed);
    }

    /// `true` for an active slave (C: `bond_is_active_slave`).
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        !self.backup.load(Ordering::Relaxed)
    }

    /// `BOND_STATE_ACTIVE` (0) or `BOND_STATE_BACKUP` (1).
    pub(crate) fn state(&self) -> u8 {
        u8::from(self.backup.load(Ordering::Relaxed))
    }

    /// `true` if received frames are for bound sockets only.
    #[inline]
    pub(crate) fn is_inactive(&self) -> bool {
        self.inactive.load(Ordering::Relaxed)
    }

    fn set_state(&self, rtnl: &Rtnl, backup: bool) {
        if self.backup.swap(backup, Ordering::Relaxed) != backup {
            self.lower_state_changed(rtnl);
            self.should_notify.store(false, Ordering::Relaxed);
        }
    }

    /// bond_set_backup_slave(): backup, told to the stack at once.
    pub(crate) fn set_backup(&self, rtnl: &Rtnl) {
        self.set_state(rtnl, true);
    }

    /// bond_set_slave_active_flags().
    pub(crate) fn set_active_flags(&self, rtnl: &Rtnl) {
        self.set_state(rtnl, false);
        self.inactive.store(false, Ordering::Relaxed);
    }

    /// bond_set_active_slave(): active, told to the stack at once; receive is left as it is.
    pub(crate) fn set_active(&self, rtnl: &Rtnl) {
        self.set_state(rtnl, false);
    }

    /// `true` in balance-tlb and -alb (`bond_is_lb()`), where no slave is a backup: the
    /// others only receive for bound sockets.
    fn bond_is_lb(&self) -> bool {
        matches!(self.bond.data().params.mode(), Mode::BalanceTlb | Mode::BalanceAlb)
    }

    /// bond_set_slave_inactive_flags().
    pub(crate) fn set_inactive_flags(&self, rtnl: &Rtnl, all_slaves_active: bool) {
        if !self.bond_is_lb() {
            self.set_state(rtnl, true);
        }
        if !all_slaves_active {
            self.inactive.store(true, Ordering::Relaxed);
        }
    }

    /// Makes received frames go to the bond again (`all_slaves_active` switched on).
    pub(crate) fn clear_inactive(&self) {
        self.inactive.store(false, Ordering::Relaxed);
    }

    /// Marks a backup slave inactive again (`all_slaves_active` switched off).
    pub(crate) fn restore_inactive(&self) {
        if !self.is_active() {
            self.inactive.store(true, Ordering::Relaxed);
        }
    }

    /// bond_set_slave_state() with `BOND_SLAVE_NOTIFY_LATER`: the stack is told by
    /// [`Slave::notify_state`] (a change and its undoing before then cancel out, as in C).
    pub(crate) fn set_backup_later(&self, backup: bool) {
        if self.backup.swap(backup, Ordering::Relaxed) != backup {
            self.should_notify.fetch_xor(true, Ordering::Relaxed);
        }
    }

    /// bond_set_slave_active_flags(), telling the stack later.
    pub(crate) fn set_active_flags_later(&self) {
        self.set_backup_later(false);
        self.inactive.store(false, Ordering::Relaxed);
    }

    /// bond_set_slave_inactive_flags(), telling the stack later.
    pub(crate) fn set_inactive_flags_later(&self, all_slaves_active: bool) {
        if !self.bond_is_lb() {
            self.set_backup_later(true);
        }
        if !all_slaves_active {
            self.inactive.store(true, Ordering::Relaxed);
        }
    }

    /// `true` if a state change is still to be told.
    pub(crate) fn should_notify(&self) -> bool {
        self.should_notify.load(Ordering::Relaxed)
    }

    /// bond_slave_state_notify() for this slave: tells the stack of a pending change.
    pub(crate) fn notify_state(&self, rtnl: &Rtnl) {
        if self.should_notify.swap(false, Ordering::Relaxed) {
            self.lower_state_changed(rtnl);
        }
    }

    /// A link change made with [`Slave::set_link_quiet`] is still to be told.
    pub(crate) fn mark_link_notify(&self) {
        self.should_notify_link.store(true, Ordering::Relaxed);
    }

    /// `true` if a link change is still to be told.
    pub(crate) fn link_notify_pending(&self) -> bool {
        self.should_notify_link.load(Ordering::Relaxed)
    }

    /// bond_slave_link_notify() for this slave: tells the stack of a pending link change.
    pub(crate) fn notify_link(&self, rtnl: &Rtnl) {
        if self.should_notify_link.swap(false, Ordering::Relaxed) {
            self.lower_state_changed(rtnl);
        }
    }

    /// bond_lower_state_changed().
    pub(crate) fn lower_state_changed(&self, rtnl: &Rtnl) {
        self.dev.lag_state_changed(rtnl, self.link() == link::UP, self.is_active());
    }

    /// bond_slave_is_up(): the device is running and has carrier.
    #[inline]
    pub(crate) fn is_up(&self) -> bool {
        crate::enslave::dev_link_up(&self.dev)
    }

    /// bond_slave_can_tx().
    #[inline]
    pub(crate) fn can_tx(&self) -> bool {
        self.is_up() && self.link() == link::UP && self.is_active()
    }

    /// The slave's key in the modes' tables: its ifindex.
    #[inline]
    pub(crate) fn key(&self) -> u32 {
        self.dev.ifindex() as u32
    }

    /// Speed in Mb/s, `SPEED_UNKNOWN` if unknown.
    pub(crate) fn speed(&self) -> u32 {
        self.speed.load(Ordering::Relaxed)
    }

    /// Duplex (`DUPLEX_*`).
    pub(crate) fn duplex(&self) -> u8 {
        self.duplex.load(Ordering::Relaxed)
    }

    /// bond_update_speed_duplex(): asks the driver; returns `true` if speed or duplex is
    /// unknown.
    pub(crate) fn update_speed_duplex(&self, rtnl: &Rtnl) -> bool {
        let known = match self.dev.link_settings(rtnl) {
            Ok(ls) if ls.speed != 0 && ls.speed != ethtool::SPEED_UNKNOWN
                && (ls.duplex == ethtool::DUPLEX_FULL || ls.duplex == ethtool::DUPLEX_HALF) =>
            {
                Some((ls.speed, ls.duplex))
            }
            _ => None,
        };
        let (speed, duplex) = known.unwrap_or((ethtool::SPEED_UNKNOWN, ethtool::DUPLEX_UNKNOWN));
        self.speed.store(speed, Ordering::Relaxed);
        self.duplex.store(duplex, Ordering::Relaxed);
        known.is_none()
    }

    /// Records that the link came up now.
    pub(crate) fn stamp_link_up(&self) {
        self.last_link_up.store(time::jiffies() as usize, Ordering::Relaxed);
    }
}

/// `true` for 01:80:C2:00:00:0X, the link-local group addresses (LLDP, STP, LACP...).
fn is_link_local(dest: &[u8]) -> bool {
    dest.len() >= 6 && dest[..5] == [0x01, 0x80, 0xc2, 0x00, 0x00] && dest[5] & 0xf0 == 0
}

impl RxHandler for Slave {
    /// bond_handle_frame(): frames of active slaves go to the bond; inactive slaves deliver
    /// only to sockets bound to them, link-local frames excepted.
    fn handle(&self, skb: SkBuff) -> RxResult {
        let bond = self.bond.data();
        // bond->recv_probe: 802.3ad takes its LACPDUs and Markers first, on any slave.
        let mode = bond.params.mode();
        let mut skb = if mode == Mode::Ieee8023ad {
            match crate::ad::receive(&self.bond, self, skb) {
                Some(skb) => skb,
                None => return RxResult::Consumed,
            }
        } else {
            skb
        };
        // The ARP monitor counts what arrives (bond_rcv_validate()).
        if bond.arp_rx.load(Ordering::Relaxed) {
            crate::monitor::arp::rcv_validate(&self.bond, self, &skb, &kernel::sync::rcu::read_lock());
        }
        // balance-alb learns its clients from the ARPs it receives (rlb_arp_recv()).
        if mode == Mode::BalanceAlb && bond.rlb_rx.load(Ordering::Relaxed) {
            crate::alb::xmit::arp_received(bond, &skb);
        }
        if self.is_inactive() {
            let alb_unicast = bond.params.mode() == Mode::BalanceAlb
                && skb.pkt_type() != pkt_type::BROADCAST
                && skb.pkt_type() != pkt_type::MULTICAST;
            if !alb_unicast {
                let link_local = skb.eth_header().map_or(false, |h| is_link_local(&h[..6]));
                return if link_local { RxResult::Pass(skb) } else { RxResult::Exact(skb) };
            }
        }
        skb.set_dev(&self.bond);
        // A balance-alb bond in a bridge: frames for this slave's own address are for the
        // bond's (the bridge knows only that one).
        if mode == Mode::BalanceAlb && self.bond.is_bridge_port() && skb.pkt_type() == pkt_type::HOST {
            let at = skb.mac_offset().unwrap_or(0);
            if skb.write(at, self.bond.addr().as_bytes()).is_err() {
                drop(skb);
                return RxResult::Consumed;
            }
        }
        RxResult::Another(skb)
    }
}
