// SPDX-License-Identifier: GPL-2.0

//! Module parameters: checking what `insmod rbond.ko ...` was given and turning it into the
//! defaults every new bond starts from.
//!
//! Mirrors `bond_check_params()` in `drivers/net/bonding/bond_main.c`: the same corrections
//! (a negative `miimon` is reset to 0 with a warning), the same refusals (`mode=banana` fails the
//! load with `EINVAL`), and the same messages. Values are parsed through the option table
//! ([`crate::options`]).
//!
//! Pure logic: the raw values come in as a [`RawParams`], messages go out through [`Log`].

use crate::options::{self, Input, Mode};
use core::fmt;

/// `BOND_DEFAULT_MAX_BONDS`.
pub(crate) const DEFAULT_MAX_BONDS: i32 = 1;
/// `BOND_DEFAULT_TX_QUEUES`.
pub(crate) const DEFAULT_TX_QUEUES: i32 = 16;
/// `BOND_DEFAULT_RESEND_IGMP`.
pub(crate) const DEFAULT_RESEND_IGMP: i32 = 1;
/// `BOND_DEFAULT_MIIMON`, forced on for modes that cannot use the ARP monitor.
pub(crate) const DEFAULT_MIIMON: i32 = 100;
/// `BOND_ALB_DEFAULT_LP_INTERVAL`.
pub(crate) const DEFAULT_LP_INTERVAL: u32 = 1;
/// `BOND_MAX_ARP_TARGETS`.
pub(crate) const MAX_ARP_TARGETS: usize = 16;

/// Where the check's messages go (the kernel log in the module; a buffer in tests).
pub(crate) trait Log {
    /// `pr_err`.
    fn err(&mut self, args: fmt::Arguments<'_>);
    /// `pr_warn`.
    fn warn(&mut self, args: fmt::Arguments<'_>);
    /// `pr_info` (and `pr_notice`).
    fn info(&mut self, args: fmt::Arguments<'_>);
}

/// The module parameters as given: strings are `None` when not given.
pub(crate) struct RawParams<'a> {
    /// `max_bonds`.
    pub(crate) max_bonds: i32,
    /// `tx_queues`.
    pub(crate) tx_queues: i32,
    /// `num_grat_arp` / `num_unsol_na`.
    pub(crate) num_peer_notif: i32,
    /// `miimon`.
    pub(crate) miimon: i32,
    /// `updelay`.
    pub(crate) updelay: i32,
    /// `downdelay`.
    pub(crate) downdelay: i32,
    /// `use_carrier`.
    pub(crate) use_carrier: i32,
    /// `mode`.
    pub(crate) mode: Option<&'a [u8]>,
    /// `primary`.
    pub(crate) primary: Option<&'a [u8]>,
    /// `primary_reselect`.
    pub(crate) primary_reselect: Option<&'a [u8]>,
    /// `lacp_rate`.
    pub(crate) lacp_rate: Option<&'a [u8]>,
    /// `ad_select`.
    pub(crate) ad_select: Option<&'a [u8]>,
    /// `min_links`.
    pub(crate) min_links: i32,
    /// `xmit_hash_policy`.
    pub(crate) xmit_hash_policy: Option<&'a [u8]>,
    /// `arp_interval`.
    pub(crate) arp_interval: i32,
    /// `arp_ip_target`, in the order given.
    pub(crate) arp_ip_target: &'a [&'a [u8]],
    /// `arp_validate`.
    pub(crate) arp_validate: Option<&'a [u8]>,
    /// `arp_all_targets`.
    pub(crate) arp_all_targets: Option<&'a [u8]>,
    /// `fail_over_mac`.
    pub(crate) fail_over_mac: Option<&'a [u8]>,
    /// `all_slaves_active`.
    pub(crate) all_slaves_active: i32,
    /// `resend_igmp`.
    pub(crate) resend_igmp: i32,
    /// `packets_per_slave`.
    pub(crate) packets_per_slave: i32,
    /// `lp_interval`.
    pub(crate) lp_interval: u32,
}

/// The defaults a new bond starts from: C's `bonding_defaults`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BondDefaults {
    /// How many bonds loading the module creates.
    pub(crate) max_bonds: i32,
    /// The bonding mode.
    pub(crate) mode: Mode,
    /// `xmit_hash_policy`, as its number.
    pub(crate) xmit_policy: u64,
    /// MII monitor interval, milliseconds.
    pub(crate) miimon: i32,
    /// `updelay`, in MII monitor periods.
    pub(crate) updelay: i32,
    /// `downdelay`, in MII monitor periods.
    pub(crate) downdelay: i32,
    /// `use_carrier`.
    pub(crate) use_carrier: i32,
    /// Peer notifications after a failover.
    pub(crate) num_peer_notif: i32,
    /// ARP monitor interval, milliseconds.
    pub(crate) arp_interval: i32,
    /// ARP targets (network byte order), in the order given.
    pub(crate) arp_targets: [[u8; 4]; MAX_ARP_TARGETS],
    /// How many of `arp_targets` are in use.
    pub(crate) arp_target_count: usize,
    /// `arp_validate`, as its number.
    pub(crate) arp_validate: u64,
    /// `arp_all_targets`, as its number.
    pub(crate) arp_all_targets: u64,
    /// `lacp_rate`: 1 for fast.
    pub(crate) lacp_fast: u64,
    /// `ad_select`, as its number.
    pub(crate) ad_select: u64,
    /// The primary slave's name, if one was given and the mode has one.
    pub(crate) primary: Option<[u8; 16]>,
    /// `primary_reselect`, as its number.
    pub(crate) primary_reselect: u64,
    /// `fail_over_mac`, as its number.
    pub(crate) fail_over_mac: u64,
    /// Transmit queues of each bond.
    pub(crate) tx_queues: i32,
    /// `all_slaves_active`.
    pub(crate) all_slaves_active: i32,
    /// `resend_igmp`.
    pub(crate) resend_igmp: i32,
    /// `min_links`.
    pub(crate) min_links: i32,
    /// `lp_interval`, seconds.
    pub(crate) lp_interval: u32,
    /// `packets_per_slave`.
    pub(crate) packets_per_slave: i32,
    /// `tlb_dynamic_lb`.
    pub(crate) tlb_dynamic_lb: u64,
    /// `ad_actor_sys_prio`.
    pub(crate) ad_actor_sys_prio: u64,
    /// `ad_user_port_key`.
    pub(crate) ad_user_port_key: u64,
}

impl BondDefaults {
    /// bonding.ko's defaults with no module parameters given (what `check` returns for an
    /// empty parameter set, without its log lines).
    pub(crate) fn builtin() -> Self {
        BondDefaults {
            max_bonds: DEFAULT_MAX_BONDS,
            mode: Mode::BalanceRr,
            xmit_policy: 0,
            miimon: 0,
            updelay: 0,
            downdelay: 0,
            use_carrier: 1,
            num_peer_notif: 1,
            arp_interval: 0,
            arp_targets: [[0; 4]; MAX_ARP_TARGETS],
            arp_target_count: 0,
            arp_validate: 0,
            arp_all_targets: 0,
            lacp_fast: 0,
            ad_select: 0,
            primary: None,
            primary_reselect: 0,
            fail_over_mac: 0,
            tx_queues: DEFAULT_TX_QUEUES,
            all_slaves_active: 0,
            resend_igmp: DEFAULT_RESEND_IGMP,
            min_links: 0,
            lp_interval: DEFAULT_LP_INTERVAL,
            packets_per_slave: 1,
            tlb_dynamic_lb: 1,
            ad_actor_sys_prio: 65535,
            ad_user_port_key: 0,
        }
    }
}

/// Text of a string parameter for messages.
struct Text<'a>(&'a [u8]);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{:02x}", b)?;
            }
        }
        Ok(())
    }
}

/// An IPv4 address in dotted-quad form, as `in4_pton(s, -1, ...)` reads it.
pub(crate) fn parse_ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split(|&b| b == b'.');
    for byte in out.iter_mut() {
        let part = parts.next()?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = part.iter().try_fold(0u32, |acc, &d| {
            let next = acc * 10 + (d - b'0') as u32;
            (next <= 255).then_some(next)
        })?;
        *byte = value as u8;
    }
    parts.next().is_none().then_some(out)
}

/// `bond_is_ip_target_ok()`: not the limited broadcast, not in 0.0.0.0/8.
fn ip_target_ok(ip: [u8; 4]) -> bool {
    ip != [255, 255, 255, 255] && ip[0] != 0
}

/// Checks the module parameters; `Err` carries the errno that fails the load.
pub(crate) fn check(raw: &RawParams<'_>, log: &mut dyn Log) -> Result<BondDefaults, kernel::error::Error> {
    use kernel::error::code::EINVAL;

    let mut mode = Mode::BalanceRr;
    if let Some(text) = raw.mode {
        match options::parse(options::MODE_VALUES, Input::Text(text)).and_then(Mode::from_value) {
            Some(m) => mode = m,
            None => {
                log.err(format_args!("Error: Invalid bonding mode \"{}\"\n", Text(text)));
                return Err(EINVAL);
            }
        }
    }

    let mut xmit_policy = 0;
    if let Some(text) = raw.xmit_hash_policy {
        if matches!(mode, Mode::BalanceRr | Mode::ActiveBackup | Mode::Broadcast) {
            log.info(format_args!("xmit_hash_policy param is irrelevant in mode {}\n", mode.description()));
        } else {
            match options::parse(options::XMIT_HASH_VALUES, Input::Text(text)) {
                Some(value) => xmit_policy = value,
                None => {
                    log.err(format_args!("Error: Invalid xmit_hash_policy \"{}\"\n", Text(text)));
                    return Err(EINVAL);
                }
            }
        }
    }

    let mut lacp_fast = 0;
    if let Some(text) = raw.lacp_rate {
        if mode != Mode::Ieee8023ad {
            log.info(format_args!("lacp_rate param is irrelevant in mode {}\n", mode.description()));
        } else {
            match options::parse(options::LACP_RATE_VALUES, Input::Text(text)) {
                Some(value) => lacp_fast = value,
                None => {
                    log.err(format_args!("Error: Invalid lacp rate \"{}\"\n", Text(text)));
                    return Err(EINVAL);
                }
            }
        }
    }

    let mut ad_select = 0;
    if let Some(text) = raw.ad_select {
        match options::parse(options::AD_SELECT_VALUES, Input::Text(text)) {
            Some(value) => ad_select = value,
            None => {
                log.err(format_args!("Error: Invalid ad_select \"{}\"\n", Text(text)));
                return Err(EINVAL);
            }
        }
        if mode != Mode::Ieee8023ad {
            log.warn(format_args!("ad_select param only affects 802.3ad mode\n"));
        }
    }

    let mut max_bonds = raw.max_bonds;
    if max_bonds < 0 {
        log.warn(format_args!(
            "Warning: max_bonds ({}) not in range {}-{}, so it was reset to BOND_DEFAULT_MAX_BONDS ({})\n",
            max_bonds, 0, i32::MAX, DEFAULT_MAX_BONDS
        ));
        max_bonds = DEFAULT_MAX_BONDS;
    }

    let mut miimon = raw.miimon;
    let mut updelay = raw.updelay;
    let mut downdelay = raw.downdelay;
    for (name, value) in [("miimon", &mut miimon), ("updelay", &mut updelay), ("downdelay", &mut downdelay)] {
        if *value < 0 {
            log.warn(format_args!(
                "Warning: {} module parameter ({}), not in range 0-{}, so it was reset to 0\n",
                name, *value, i32::MAX
            ));
            *value = 0;
        }
    }

    let mut use_carrier = raw.use_carrier;
    if use_carrier != 0 && use_carrier != 1 {
        log.warn(format_args!(
            "Warning: use_carrier module parameter ({}), not of valid value (0/1), so it was set to 1\n",
            use_carrier
        ));
        use_carrier = 1;
    }

    let mut num_peer_notif = raw.num_peer_notif;
    if !(0..=255).contains(&num_peer_notif) {
        log.warn(format_args!(
            "Warning: num_grat_arp/num_unsol_na ({}) not in range 0-255 so it was reset to 1\n",
            num_peer_notif
        ));
        num_peer_notif = 1;
    }

    if !mode.uses_arp() && miimon == 0 {
        log.warn(format_args!("Warning: miimon must be specified, otherwise bonding will not detect link failure, speed and duplex which are essential for 802.3ad operation\n"));
        log.warn(format_args!("Forcing miimon to 100msec\n"));
        miimon = DEFAULT_MIIMON;
    }

    let mut tx_queues = raw.tx_queues;
    if !(1..=255).contains(&tx_queues) {
        log.warn(format_args!(
            "Warning: tx_queues ({}) should be between 1 and 255, resetting to {}\n",
            tx_queues, DEFAULT_TX_QUEUES
        ));
        tx_queues = DEFAULT_TX_QUEUES;
    }

    let mut all_slaves_active = raw.all_slaves_active;
    if all_slaves_active != 0 && all_slaves_active != 1 {
        log.warn(format_args!(
            "Warning: all_slaves_active module parameter ({}), not of valid value (0/1), so it was set to 0\n",
            all_slaves_active
        ));
        all_slaves_active = 0;
    }

    let mut resend_igmp = raw.resend_igmp;
    if !(0..=255).contains(&resend_igmp) {
        log.warn(format_args!(
            "Warning: resend_igmp ({}) should be between 0 and 255, resetting to {}\n",
            resend_igmp, DEFAULT_RESEND_IGMP
        ));
        resend_igmp = DEFAULT_RESEND_IGMP;
    }

    let mut packets_per_slave = raw.packets_per_slave;
    // bond_opt_initval() passes the int as a u64: a negative one is huge and out of range.
    if options::parse(options::PACKETS_PER_SLAVE_VALUES, Input::Number(packets_per_slave as i64 as u64))
        .is_none()
    {
        log.warn(format_args!(
            "Warning: packets_per_slave ({}) should be between 0 and {} resetting to 1\n",
            packets_per_slave,
            u16::MAX
        ));
        packets_per_slave = 1;
    }

    if mode == Mode::BalanceAlb {
        log.info(format_args!("In ALB mode you might experience client disconnections upon reconnection of a link if the bonding module updelay parameter ({} msec) is incompatible with the forwarding delay time of the switch\n", updelay));
    }

    let mut arp_interval = raw.arp_interval;
    if miimon == 0 {
        if updelay != 0 || downdelay != 0 {
            log.warn(format_args!("Warning: miimon module parameter not set and updelay ({}) or downdelay ({}) module parameter is set; updelay and downdelay have no effect unless miimon is set\n", updelay, downdelay));
        }
    } else {
        if arp_interval != 0 {
            log.warn(format_args!(
                "Warning: miimon ({}) and arp_interval ({}) can't be used simultaneously, disabling ARP monitoring\n",
                miimon, arp_interval
            ));
            arp_interval = 0;
        }
        for (name, delay) in [("updelay", &mut updelay), ("downdelay", &mut downdelay)] {
            // miimon is positive here; the checked forms keep panics (and objtool's unknown
            // `panic_const_div_by_zero`) out of the load path.
            let periods = delay.checked_div(miimon).unwrap_or(0);
            if delay.checked_rem(miimon).unwrap_or(0) != 0 {
                log.warn(format_args!(
                    "Warning: {} ({}) is not a multiple of miimon ({}), {} rounded to {} ms\n",
                    name, *delay, miimon, name, periods.saturating_mul(miimon)
                ));
            }
            *delay = periods;
        }
    }

    if arp_interval < 0 {
        log.warn(format_args!(
            "Warning: arp_interval module parameter ({}), not in range 0-{}, so it was reset to 0\n",
            arp_interval, i32::MAX
        ));
        arp_interval = 0;
    }

    let mut arp_targets = [[0u8; 4]; MAX_ARP_TARGETS];
    let mut arp_target_count = 0;
    for text in raw.arp_ip_target.iter().take(MAX_ARP_TARGETS) {
        match parse_ipv4(text).filter(|ip| ip_target_ok(*ip)) {
            None => {
                log.warn(format_args!(
                    "Warning: bad arp_ip_target module parameter ({}), ARP monitoring will not be performed\n",
                    Text(text)
                ));
                arp_interval = 0;
            }
            Some(ip) if arp_targets[..arp_target_count].contains(&ip) => {
                log.warn(format_args!(
                    "Warning: duplicate address {}.{}.{}.{} in arp_ip_target, skipping\n",
                    ip[0], ip[1], ip[2], ip[3]
                ));
            }
            Some(ip) => {
                arp_targets[arp_target_count] = ip;
                arp_target_count += 1;
            }
        }
    }

    if arp_interval != 0 && arp_target_count == 0 {
        log.warn(format_args!("Warning: arp_interval module parameter ({}) specified without providing an arp_ip_target parameter, arp_interval was reset to 0\n", arp_interval));
        arp_interval = 0;
    }

    let mut arp_validate = 0;
    if let Some(text) = raw.arp_validate {
        if arp_interval == 0 {
            log.err(format_args!("arp_validate requires arp_interval\n"));
            return Err(EINVAL);
        }
        match options::parse(options::ARP_VALIDATE_VALUES, Input::Text(text)) {
            Some(value) => arp_validate = value,
            None => {
                log.err(format_args!("Error: invalid arp_validate \"{}\"\n", Text(text)));
                return Err(EINVAL);
            }
        }
    }

    let mut arp_all_targets = 0;
    if let Some(text) = raw.arp_all_targets {
        match options::parse(options::ARP_ALL_TARGETS_VALUES, Input::Text(text)) {
            Some(value) => arp_all_targets = value,
            None => log.err(format_args!("Error: invalid arp_all_targets_value \"{}\"\n", Text(text))),
        }
    }

    if miimon != 0 {
        log.info(format_args!("MII link monitoring set to {} ms\n", miimon));
    } else if arp_interval != 0 {
        let validate = options::name_of(options::ARP_VALIDATE_VALUES, arp_validate).unwrap_or("");
        log.info(format_args!(
            "ARP monitoring set to {} ms, validate {}, with {} target(s):{}\n",
            arp_interval,
            validate,
            arp_target_count,
            Targets(raw.arp_ip_target, arp_target_count)
        ));
    }

    let mut primary = raw.primary;
    if let Some(name) = primary {
        if !mode.uses_primary() {
            log.warn(format_args!(
                "Warning: {} primary device specified but has no effect in {} mode\n",
                Text(name),
                mode.description()
            ));
            primary = None;
        }
    }

    let mut primary_reselect = 0;
    if let (Some(_), Some(text)) = (primary, raw.primary_reselect) {
        match options::parse(options::PRIMARY_RESELECT_VALUES, Input::Text(text)) {
            Some(value) => primary_reselect = value,
            None => {
                log.err(format_args!("Error: Invalid primary_reselect \"{}\"\n", Text(text)));
                return Err(EINVAL);
            }
        }
    }

    let mut fail_over_mac = 0;
    if let Some(text) = raw.fail_over_mac {
        match options::parse(options::FAIL_OVER_MAC_VALUES, Input::Text(text)) {
            Some(value) => fail_over_mac = value,
            None => {
                log.err(format_args!("Error: invalid fail_over_mac \"{}\"\n", Text(text)));
                return Err(EINVAL);
            }
        }
        if mode != Mode::ActiveBackup {
            log.warn(format_args!("Warning: fail_over_mac only affects active-backup mode\n"));
        }
    }

    let default = Input::Text(b"default");
    let ad_actor_sys_prio = options::parse(options::AD_ACTOR_SYS_PRIO_VALUES, default).ok_or(EINVAL)?;
    let ad_user_port_key = options::parse(options::AD_USER_PORT_KEY_VALUES, default).ok_or(EINVAL)?;
    let tlb_dynamic_lb = options::parse(options::TLB_DYNAMIC_LB_VALUES, default).ok_or(EINVAL)?;

    let mut lp_interval = raw.lp_interval;
    if lp_interval == 0 {
        log.warn(format_args!(
            "Warning: ip_interval must be between 1 and {}, so it was reset to {}\n",
            i32::MAX,
            DEFAULT_LP_INTERVAL
        ));
        lp_interval = DEFAULT_LP_INTERVAL;
    }

    Ok(BondDefaults {
        max_bonds,
        mode,
        xmit_policy,
        miimon,
        updelay,
        downdelay,
        use_carrier,
        num_peer_notif,
        arp_interval,
        arp_targets,
        arp_target_count,
        arp_validate,
        arp_all_targets,
        lacp_fast,
        ad_select,
        // strscpy_pad() into IFNAMSIZ: at most 15 bytes and a NUL.
        primary: primary.map(|name| {
            let mut buf = [0u8; 16];
            let len = name.len().min(15);
            buf[..len].copy_from_slice(&name[..len]);
            buf
        }),
        primary_reselect,
        fail_over_mac,
        tx_queues,
        all_slaves_active,
        resend_igmp,
        min_links: raw.min_links,
        lp_interval,
        packets_per_slave,
        tlb_dynamic_lb,
        ad_actor_sys_prio,
        ad_user_port_key,
    })
}

/// The accepted ARP targets, as the "ARP monitoring set to" line lists them.
struct Targets<'a>(&'a [&'a [u8]], usize);

impl fmt::Display for Targets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // C prints the first `count` strings given (even if one of them was refused).
        for text in self.0.iter().take(self.1) {
            write!(f, " {}", Text(text))?;
        }
        Ok(())
    }
}

impl Default for RawParams<'_> {
    /// The values the parameters have when none is given (bonding.ko's static initialisers).
    fn default() -> Self {
        RawParams {
            max_bonds: DEFAULT_MAX_BONDS,
            tx_queues: DEFAULT_TX_QUEUES,
            num_peer_notif: 1,
            miimon: 0,
            updelay: 0,
            downdelay: 0,
            use_carrier: 1,
            mode: None,
            primary: None,
            primary_reselect: None,
            lacp_rate: None,
            ad_select: None,
            min_links: 0,
            xmit_hash_policy: None,
            arp_interval: 0,
            arp_ip_target: &[],
            arp_validate: None,
            arp_all_targets: None,
            fail_over_mac: None,
            all_slaves_active: 0,
            resend_igmp: DEFAULT_RESEND_IGMP,
            packets_per_slave: 1,
            lp_interval: DEFAULT_LP_INTERVAL,
        }
    }
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_params)]
mod tests {
    use super::*;
    use kernel::error::code::EINVAL;

    /// Counts messages by level; the checks below care about which level, not the wording.
    #[derive(Default)]
    struct Counts {
        err: usize,
        warn: usize,
        info: usize,
    }

    impl Log for Counts {
        fn err(&mut self, _: fmt::Arguments<'_>) {
            self.err += 1;
        }
        fn warn(&mut self, _: fmt::Arguments<'_>) {
            self.warn += 1;
        }
        fn info(&mut self, _: fmt::Arguments<'_>) {
            self.info += 1;
        }
    }

    /// A string parameter given as `text`.
    fn given(text: &str) -> Option<&[u8]> {
        Some(text.as_bytes())
    }

    #[test]
    fn no_parameters_give_bonding_defaults() {
        let mut log = Counts::default();
        let d = check(&RawParams::default(), &mut log).unwrap();
        assert_eq!(d.mode, Mode::BalanceRr);
        assert_eq!(d.max_bonds, 1);
        assert_eq!(d.miimon, 0);
        assert_eq!(d.tx_queues, 16);
        assert_eq!(d.ad_actor_sys_prio, 65535);
        assert_eq!(d.tlb_dynamic_lb, 1);
        assert_eq!(log.err + log.warn, 0);
        assert_eq!(d, BondDefaults::builtin());
    }

    #[test]
    fn mode_by_name_or_number() {
        for (text, mode) in [("1", Mode::ActiveBackup), ("active-backup", Mode::ActiveBackup), ("4", Mode::Ieee8023ad)] {
            let raw = RawParams { mode: given(text), miimon: 100, ..RawParams::default() };
            assert_eq!(check(&raw, &mut Counts::default()).map(|d| d.mode), Ok(mode));
        }
    }

    #[test]
    fn bad_mode_fails_the_load() {
        let mut log = Counts::default();
        let raw = RawParams { mode: given("banana"), ..RawParams::default() };
        assert_eq!(check(&raw, &mut log).err(), Some(EINVAL));
        assert_eq!(log.err, 1);
    }

    #[test]
    fn negative_miimon_is_reset_with_a_warning() {
        let mut log = Counts::default();
        let raw = RawParams { miimon: -5, ..RawParams::default() };
        assert_eq!(check(&raw, &mut log).map(|d| d.miimon), Ok(0));
        assert_eq!(log.warn, 1);
    }

    #[test]
    fn delays_become_monitor_periods() {
        let raw = RawParams { miimon: 100, updelay: 250, downdelay: 300, ..RawParams::default() };
        let mut log = Counts::default();
        let d = check(&raw, &mut log).unwrap();
        assert_eq!((d.updelay, d.downdelay), (2, 3));
        assert_eq!(log.warn, 1); // only updelay was not a multiple
    }

    #[test]
    fn modes_without_arp_monitor_force_miimon() {
        let raw = RawParams { mode: given("802.3ad"), ..RawParams::default() };
        assert_eq!(check(&raw, &mut Counts::default()).map(|d| d.miimon), Ok(100));
    }

    #[test]
    fn arp_targets_are_checked() {
        let targets: [&[u8]; 4] = [b"10.0.0.1", b"10.0.0.1", b"10.0.0.2", b"255.255.255.255"];
        let raw = RawParams { arp_interval: 100, arp_ip_target: &targets, ..RawParams::default() };
        let d = check(&raw, &mut Counts::default()).unwrap();
        assert_eq!(d.arp_target_count, 2);
        assert_eq!(d.arp_interval, 0); // a bad target disables the ARP monitor
        assert_eq!(parse_ipv4(b"192.168.1.300"), None);
        assert_eq!(parse_ipv4(b"1.2.3"), None);
        assert_eq!(parse_ipv4(b"1.2.3.4.5"), None);
        assert_eq!(parse_ipv4(b"010.0.0.1"), Some([10, 0, 0, 1]));
    }

    #[test]
    fn arp_validate_needs_arp_interval() {
        let raw = RawParams { arp_validate: given("all"), ..RawParams::default() };
        assert_eq!(check(&raw, &mut Counts::default()).err(), Some(EINVAL));
    }

    #[test]
    fn primary_only_in_modes_that_have_one() {
        let raw = RawParams { primary: given("eth0"), ..RawParams::default() };
        assert_eq!(check(&raw, &mut Counts::default()).map(|d| d.primary), Ok(None));
        let raw = RawParams { mode: given("1"), primary: given("eth0"), ..RawParams::default() };
        let primary = check(&raw, &mut Counts::default()).unwrap().primary.unwrap();
        assert_eq!(&primary[..5], b"eth0\0");
    }
}
