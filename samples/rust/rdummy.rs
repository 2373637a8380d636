// SPDX-License-Identifier: GPL-2.0

//! A dummy network device in Rust: every frame sent to it is counted and dropped.
//!
//! Mirrors drivers/net/dummy.c: rtnetlink kind `rdummy` (`ip link add d0 type rdummy`),
//! `numdummies` devices created at load time, no ARP, lockless transmit, random MAC that can
//! be changed while up. Built only on the safe `kernel::net` abstractions: no `unsafe`.

use core::sync::atomic::{AtomicU64, Ordering};
use kernel::{
    c_str,
    net::{
        device::{
            flags, priv_flags, AddrListsLocked, Driver, DriverDevice, Features, HwAddr, Setup,
            Stats64,
        },
        ethtool,
        link::{self, LinkType},
        Net, Rtnl, RtnlGuard, SkBuff,
    },
    prelude::*,
    sync::{lock::spinlock_bh::SoftirqsOff, rcu},
};

module! {
    type: RDummyModule,
    name: "rdummy",
    author: "rbond developers",
    description: "Dummy netdevice driver, in Rust",
    license: "GPL",
    params: {
        numdummies: i32 {
            default: 1,
            description: "Number of dummy pseudo devices",
            permissions: 0o444,
        },
    },
}

/// The private data of one rdummy device: its transmit counters.
struct RDummy {
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
}

#[vtable]
impl Driver for RDummy {
    fn setup(dev: &mut Setup<'_>) -> impl PinInit<Self> {
        dev.ether_setup();
        dev.update_flags(flags::NOARP, flags::MULTICAST);
        dev.update_priv_flags(priv_flags::LIVE_ADDR_CHANGE | priv_flags::NO_QUEUE, 0);
        dev.set_lltx(true);
        let features = Features::SG
            | Features::FRAGLIST
            | Features::GSO_SOFTWARE
            | Features::HW_CSUM
            | Features::HIGHDMA
            | Features::GSO_ENCAP_ALL;
        dev.set_features(features, features, Features::EMPTY, features);
        dev.random_ether_addr();
        dev.set_mtu_range(0, 0);
        RDummy {
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
        }
    }

    fn start_xmit(dev: &DriverDevice<Self>, skb: SkBuff, _rcu: &rcu::Guard, _bh: &SoftirqsOff) {
        let data = dev.data();
        data.tx_packets.fetch_add(1, Ordering::Relaxed);
        data.tx_bytes.fetch_add(u64::from(skb.len()), Ordering::Relaxed);
        skb.consume();
    }

    fn get_stats64(dev: &DriverDevice<Self>, stats: &mut Stats64) {
        let data = dev.data();
        let raw = stats.raw_mut();
        raw.tx_packets = data.tx_packets.load(Ordering::Relaxed);
        raw.tx_bytes = data.tx_bytes.load(Ordering::Relaxed);
    }

    fn set_mac_address(dev: &DriverDevice<Self>, rtnl: &Rtnl, addr: &HwAddr) -> Result {
        // eth_mac_addr(): only unicast, non-zero Ethernet addresses.
        let b = addr.as_bytes();
        if b.len() != 6 || b[0] & 1 != 0 || addr.is_zero() {
            return Err(EADDRNOTAVAIL);
        }
        dev.set_hw_addr(rtnl, addr)
    }

    fn change_mtu(_dev: &DriverDevice<Self>, _rtnl: &Rtnl, _mtu: u32) -> Result {
        Ok(())
    }

    fn set_rx_mode(_dev: &DriverDevice<Self>, _locked: &AddrListsLocked<'_>) {}

    fn get_drvinfo(_dev: &DriverDevice<Self>, info: &mut ethtool::DrvInfo) {
        info.set_driver(c_str!("rdummy"));
    }
}

#[vtable]
impl LinkType for RDummy {
    const KIND: &'static CStr = c_str!("rdummy");
}

struct RDummyModule {
    _link: link::Registration<RDummy>,
}

impl kernel::Module for RDummyModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let link = link::Registration::<RDummy>::new()?;
        let count = module_parameters::numdummies.value();
        let rtnl = RtnlGuard::lock();
        for _ in 0..count.max(0) {
            // Devices created here are deleted when `link` is dropped (module unload).
            link.create(&rtnl, Net::init_ns(), c_str!("rdummy%d"))?;
        }
        drop(rtnl);
        Ok(RDummyModule { _link: link })
    }
}
