// SPDX-License-Identifier: GPL-2.0

//! Watches one existing network device from below, as an upper device (bond, team, bridge)
//! watches its lower devices.
//!
//! - An rx_handler on the device counts the frames it receives and passes them on, or drops
//!   (consumes) frames of one EtherType when `drop_ethertype` is set.
//! - A netdevice notifier counts the device's events (up, down, carrier change, MTU change)
//!   and detaches the rx_handler when the device is unregistered.
//! - `/proc/net/rust_lower_watch` shows the counts.
//!
//! Built only on the safe `kernel::net` abstractions: no `unsafe`.

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::{
    c_str,
    net::{
        device::Device,
        notifier::{self, Event, NotifyResult},
        procfs,
        rx_handler::{self, RxHandler, RxResult},
        Net, Rtnl, RtnlGuard, SkBuff,
    },
    new_mutex,
    prelude::*,
    str::CString,
    sync::{Arc, Mutex},
};

module! {
    type: LowerWatch,
    name: "rust_lower_watch",
    author: "rbond developers",
    description: "Rust sample: rx_handler and netdevice notifier on a lower device",
    license: "GPL",
    params: {
        ifname: str {
            description: "Name of the device to watch (in the initial network namespace)",
            permissions: 0o444,
        },
        drop_ethertype: i32 {
            default: 0,
            description: "Consume (drop) received frames of this EtherType; 0 drops nothing",
            permissions: 0o444,
        },
    },
}

/// Counters shared by the rx_handler, the notifier and the proc file.
struct Counts {
    frames: AtomicU64,
    bytes: AtomicU64,
    dropped: AtomicU64,
    up: AtomicU64,
    down: AtomicU64,
    change: AtomicU64,
    change_mtu: AtomicU64,
    attached: AtomicBool,
}

/// The rx_handler's per-device data.
struct Counter {
    counts: Arc<Counts>,
    drop_ethertype: Option<u16>,
}

impl RxHandler for Counter {
    fn handle(&self, skb: SkBuff) -> RxResult {
        if self.drop_ethertype == Some(skb.protocol()) {
            self.counts.dropped.fetch_add(1, Ordering::Relaxed);
            drop(skb);
            return RxResult::Consumed;
        }
        self.counts.frames.fetch_add(1, Ordering::Relaxed);
        self.counts.bytes.fetch_add(u64::from(skb.len()), Ordering::Relaxed);
        RxResult::Pass(skb)
    }
}

/// The notifier: follows the watched device and owns its rx_handler registration.
#[pin_data]
struct Watch {
    ifindex: i32,
    counts: Arc<Counts>,
    #[pin]
    handler: Mutex<Option<rx_handler::Registration<Counter>>>,
}

impl notifier::Notifier for Watch {
    fn event(&self, rtnl: &Rtnl, event: Event, dev: &Device) -> NotifyResult {
        if dev.ifindex() != self.ifindex {
            return NotifyResult::Done;
        }
        let c = &self.counts;
        match event {
            Event::Up => {
                c.up.fetch_add(1, Ordering::Relaxed);
            }
            Event::Down => {
                c.down.fetch_add(1, Ordering::Relaxed);
            }
            Event::Change => {
                c.change.fetch_add(1, Ordering::Relaxed);
                pr_info!(
                    "{}: carrier {}\n",
                    dev.name(),
                    if dev.carrier_ok() { "on" } else { "off" }
                );
            }
            Event::ChangeMtu => {
                c.change_mtu.fetch_add(1, Ordering::Relaxed);
                pr_info!("{}: mtu {}\n", dev.name(), dev.mtu());
            }
            Event::Unregister => {
                // The device is going away: let go of it, or its unregistration would wait
                // for our reference forever.
                if let Some(reg) = self.handler.lock().take() {
                    reg.unregister(rtnl);
                }
                c.attached.store(false, Ordering::Relaxed);
                pr_info!("{}: unregistered, rx_handler detached\n", dev.name());
            }
            _ => return NotifyResult::Done,
        }
        NotifyResult::Ok
    }
}

/// What `/proc/net/rust_lower_watch` shows.
struct Report {
    name: CString,
    counts: Arc<Counts>,
}

impl procfs::Show for Report {
    fn show(&self, m: &mut procfs::SeqFile) -> Result {
        let c = &self.counts;
        let attached = if c.attached.load(Ordering::Relaxed) { "yes" } else { "no" };
        let _ = write!(
            m,
            "device: {}\nattached: {}\nframes: {}\nbytes: {}\ndropped: {}\n\
             up: {}\ndown: {}\nchange: {}\nchangemtu: {}\n",
            self.name.to_str().unwrap_or("?"),
            attached,
            c.frames.load(Ordering::Relaxed),
            c.bytes.load(Ordering::Relaxed),
            c.dropped.load(Ordering::Relaxed),
            c.up.load(Ordering::Relaxed),
            c.down.load(Ordering::Relaxed),
            c.change.load(Ordering::Relaxed),
            c.change_mtu.load(Ordering::Relaxed),
        );
        Ok(())
    }
}

struct LowerWatch {
    // Dropped in this order: the proc file, then the notifier (which drops the rx_handler
    // registration it owns, taking RTNL).
    _report: procfs::File<Report>,
    _notifier: notifier::Registration<Watch>,
}

impl kernel::Module for LowerWatch {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let name = module_parameters::ifname.with(|v| -> Result<CString> {
            let bytes = v.as_bytes().ok_or(EINVAL)?;
            CString::try_from_fmt(kernel::fmt!("{}", core::str::from_utf8(bytes).map_err(|_| EINVAL)?))
        });
        let name = match name {
            Ok(n) => n,
            Err(e) => {
                pr_err!("ifname= is required\n");
                return Err(e);
            }
        };
        let drop_ethertype = match module_parameters::drop_ethertype.value() {
            0 => None,
            t => Some(u16::try_from(t).map_err(|_| EINVAL)?),
        };
        let counts = Arc::new(
            Counts {
                frames: AtomicU64::new(0),
                bytes: AtomicU64::new(0),
                dropped: AtomicU64::new(0),
                up: AtomicU64::new(0),
                down: AtomicU64::new(0),
                change: AtomicU64::new(0),
                change_mtu: AtomicU64::new(0),
                attached: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?;

        let dev = Device::get_by_name(Net::init_ns(), &name).ok_or_else(|| {
            pr_err!("no device named {}\n", name.to_str().unwrap_or("?"));
            ENODEV
        })?;
        let handler = {
            let rtnl = RtnlGuard::lock();
            let data = Arc::new(
                Counter {
                    counts: counts.clone(),
                    drop_ethertype,
                },
                GFP_KERNEL,
            )?;
            rx_handler::Registration::new(&rtnl, &dev, data)?
        };
        counts.attached.store(true, Ordering::Relaxed);
        let ifindex = dev.ifindex();
        drop(dev);
        let watch_counts = counts.clone();
        let watch = try_pin_init!(Watch {
            ifindex,
            counts: watch_counts,
            handler <- new_mutex!(Some(handler)),
        }? Error);
        let notifier = notifier::Registration::new(watch)?;
        let report = procfs::File::new_in_net(
            Net::init_ns(),
            c_str!("rust_lower_watch"),
            Report { name, counts },
        )?;
        pr_info!("watching {}\n", report.data().name.to_str().unwrap_or("?"));
        Ok(LowerWatch {
            _report: report,
            _notifier: notifier,
        })
    }
}
