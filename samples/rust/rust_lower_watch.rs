// SPDX-License-Identifier: GPL-2.0

//! Watches one existing network device from below, as an upper device (bond, team, bridge)
//! watches its lower devices.
//!
//! - An rx_handler on the device counts the frames it receives and passes them on, or drops
//!   (consumes) frames of one EtherType when `drop_ethertype` is set.
//! - A netdevice notifier counts the device's events (up, down, carrier change, MTU change)
//!   and detaches the rx_handler when the device is unregistered.
//! - `/proc/net/rust_lower_watch` shows the counts; `/sys/class/net/<dev>/lower_watch/frames`
//!   shows the frame count and writing `1` to `.../lower_watch/reset` zeroes the counters;
//!   `/sys/class/net/rust_lower_watch` names the watched device.
//!
//! Built only on the safe `kernel::net` abstractions: no `unsafe`.

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::{
    c_str,
    net::{
        device::Device,
        namespace::NetScope,
        notifier::{self, Event, NotifyResult},
        procfs,
        rx_handler::{self, RxHandler, RxResult},
        sysfs::{self, AttrDef, AttributeGroup, ClassAttribute, Page},
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

/// What is attached to the watched device; both hold a reference to it.
struct Attachment {
    handler: rx_handler::Registration<Counter>,
    files: AttributeGroup<Arc<Counts>>,
}

impl Attachment {
    fn detach(self, rtnl: &Rtnl) {
        let Attachment { handler, files } = self;
        files.remove(rtnl);
        handler.unregister(rtnl);
    }
}

/// The notifier: follows the watched device and owns what is attached to it.
#[pin_data]
struct Watch {
    ifindex: i32,
    counts: Arc<Counts>,
    #[pin]
    attached: Mutex<Option<Attachment>>,
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
                if let Some(attachment) = self.attached.lock().take() {
                    attachment.detach(rtnl);
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

/// `/sys/class/net/<dev>/lower_watch/`: the files, with the counters as their data.
static DEVICE_FILES: [AttrDef<Arc<Counts>>; 2] = [
    AttrDef {
        name: c_str!("frames"),
        mode: 0o444,
        show: show_frames,
        store: None,
    },
    AttrDef {
        name: c_str!("reset"),
        mode: 0o200,
        show: show_nothing,
        store: Some(store_reset),
    },
];

fn show_frames(c: &Arc<Counts>, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", c.frames.load(Ordering::Relaxed));
    Ok(())
}

fn show_nothing(_c: &Arc<Counts>, _page: &mut Page<'_>) -> Result {
    Ok(())
}

fn store_reset(c: &Arc<Counts>, input: &[u8]) -> Result {
    match input.strip_suffix(b"\n").unwrap_or(input) {
        b"1" => {
            c.frames.store(0, Ordering::Relaxed);
            c.bytes.store(0, Ordering::Relaxed);
            c.dropped.store(0, Ordering::Relaxed);
            Ok(())
        }
        _ => Err(EINVAL),
    }
}

/// `/sys/class/net/rust_lower_watch`: the watched device's name.
struct ClassFile {
    name: CString,
}

impl sysfs::ClassAttributeOps for ClassFile {
    fn show(&self, _net: &Net, page: &mut Page<'_>) -> Result {
        page.write_bytes(self.name.as_bytes());
        page.write_bytes(b"\n");
        Ok(())
    }

    fn store(&self, _net: &Net, _input: &[u8]) -> Result {
        Err(EPERM)
    }
}

struct LowerWatch {
    // Dropped in this order: the class file, the proc file, then the notifier (which drops
    // what it attached to the device: the rx_handler, taking RTNL, and the sysfs directory).
    _class_file: ClassAttribute<ClassFile>,
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
        let (handler, files) = {
            let rtnl = RtnlGuard::lock();
            let data = Arc::new(
                Counter {
                    counts: counts.clone(),
                    drop_ethertype,
                },
                GFP_KERNEL,
            )?;
            let handler = rx_handler::Registration::new(&rtnl, &dev, data)?;
            // Both are undone under this RTNL if the files fail (dropping them here would
            // take RTNL a second time).
            match AttributeGroup::new(&dev, &rtnl, c_str!("lower_watch"), &DEVICE_FILES, counts.clone()) {
                Ok(files) => (handler, files),
                Err(e) => {
                    handler.unregister(&rtnl);
                    return Err(e);
                }
            }
        };
        counts.attached.store(true, Ordering::Relaxed);
        let ifindex = dev.ifindex();
        drop(dev);
        let watch_counts = counts.clone();
        let watch = try_pin_init!(Watch {
            ifindex,
            counts: watch_counts,
            attached <- new_mutex!(Some(Attachment {
                handler,
                files,
            })),
        }? Error);
        let notifier = notifier::Registration::new(watch)?;
        // The initial namespace is never dismantled: its scope only ends with the files.
        let scope = NetScope::initial()?;
        let report = procfs::File::new_in_net(
            &scope,
            c_str!("rust_lower_watch"),
            Report { name, counts },
        )?;
        let class_file = ClassAttribute::new(
            &scope,
            c_str!("rust_lower_watch"),
            0o644,
            ClassFile {
                name: CString::try_from_fmt(kernel::fmt!("{}", report.data().name.to_str().unwrap_or("?")))?,
            },
        )?;
        pr_info!("watching {}\n", report.data().name.to_str().unwrap_or("?"));
        Ok(LowerWatch {
            _class_file: class_file,
            _report: report,
            _notifier: notifier,
        })
    }
}
