// SPDX-License-Identifier: GPL-2.0

//! The option table: the values each bonding option takes and how text becomes one of them.
//!
//! Mirrors `drivers/net/bonding/bond_options.c` (the `bond_opt_value` tables and
//! `bond_opt_parse()`). Module parameters, sysfs writes and netlink attributes all go through
//! [`parse`], so the same input gets the same answer whichever door it came through.
//!
//! Pure logic: no kernel objects, so it is tested by KUnit and could be on the host.

/// The value is the option's default (`"default"` selects it).
pub(crate) const VAL_DEFAULT: u8 = 1 << 0;
/// The value is the lowest of a numeric range.
pub(crate) const VAL_MIN: u8 = 1 << 1;
/// The value is the highest of a numeric range.
pub(crate) const VAL_MAX: u8 = 1 << 2;

/// One named value of an option: C's `struct bond_opt_value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OptValue {
    /// The name users write and sysfs shows.
    pub(crate) name: &'static str,
    /// The numeric value (also accepted as input).
    pub(crate) value: u64,
    /// [`VAL_DEFAULT`], [`VAL_MIN`], [`VAL_MAX`].
    pub(crate) flags: u8,
}

const fn v(name: &'static str, value: u64, flags: u8) -> OptValue {
    OptValue { name, value, flags }
}

/// Bonding modes, numbered as bonding.ko numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Mode {
    /// Round-robin over the slaves (0).
    BalanceRr = 0,
    /// One active slave, the others on standby (1).
    ActiveBackup = 1,
    /// Slave chosen by a hash of the packet (2).
    BalanceXor = 2,
    /// Every packet on every slave (3).
    Broadcast = 3,
    /// IEEE 802.3ad / 802.1AX link aggregation (4).
    Ieee8023ad = 4,
    /// Adaptive transmit load balancing (5).
    BalanceTlb = 5,
    /// Adaptive load balancing, transmit and receive (6).
    BalanceAlb = 6,
}

impl Mode {
    /// The mode with bonding.ko's number `value`.
    pub(crate) fn from_value(value: u64) -> Option<Mode> {
        Some(match value {
            0 => Mode::BalanceRr,
            1 => Mode::ActiveBackup,
            2 => Mode::BalanceXor,
            3 => Mode::Broadcast,
            4 => Mode::Ieee8023ad,
            5 => Mode::BalanceTlb,
            6 => Mode::BalanceAlb,
            _ => return None,
        })
    }

    /// The mode's option value name (`active-backup`), as sysfs shows it.
    pub(crate) fn name(self) -> &'static str {
        MODE_VALUES[self as usize].name
    }

    /// The mode's description, as `bond_mode_name()` gives it for messages and procfs.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Mode::BalanceRr => "load balancing (round-robin)",
            Mode::ActiveBackup => "fault-tolerance (active-backup)",
            Mode::BalanceXor => "load balancing (xor)",
            Mode::Broadcast => "fault-tolerance (broadcast)",
            Mode::Ieee8023ad => "IEEE 802.3ad Dynamic link aggregation",
            Mode::BalanceTlb => "transmit load balancing",
            Mode::BalanceAlb => "adaptive load balancing",
        }
    }

    /// Whether the mode can use the ARP monitor (`bond_mode_uses_arp()`).
    pub(crate) fn uses_arp(self) -> bool {
        !matches!(self, Mode::Ieee8023ad | Mode::BalanceTlb | Mode::BalanceAlb)
    }

    /// bond_mode_can_use_xmit_hash(): the modes that may pick a slave by hash.
    pub(crate) fn can_use_xmit_hash(self) -> bool {
        matches!(self, Mode::Ieee8023ad | Mode::BalanceXor | Mode::BalanceTlb | Mode::BalanceAlb)
    }

    /// The modes that keep `usable_slaves`/`all_slaves` (broadcast sends over `all_slaves`).
    pub(crate) fn uses_slave_arrays(self) -> bool {
        self.can_use_xmit_hash() || self == Mode::Broadcast
    }

    /// bond_mode_uses_xmit_hash(): the modes that do (tlb and alb only without dynamic
    /// load balancing).
    pub(crate) fn uses_xmit_hash(self, tlb_dynamic_lb: u32) -> bool {
        match self {
            Mode::Ieee8023ad | Mode::BalanceXor => true,
            Mode::BalanceTlb | Mode::BalanceAlb => tlb_dynamic_lb == 0,
            _ => false,
        }
    }

    /// bond_needs_speed_duplex(): a slave whose speed or duplex is unknown is not up, since the
    /// mode uses them (802.3ad's keys; balance-tlb and -alb's load too, once they are built).
    pub(crate) fn needs_speed_duplex(self) -> bool {
        self == Mode::Ieee8023ad
    }

    /// Whether the mode has a primary slave (`bond_mode_uses_primary()`).
    pub(crate) fn uses_primary(self) -> bool {
        matches!(self, Mode::ActiveBackup | Mode::BalanceTlb | Mode::BalanceAlb)
    }
}

/// `mode`.
pub(crate) const MODE_VALUES: &[OptValue] = &[
    v("balance-rr", 0, VAL_DEFAULT),
    v("active-backup", 1, 0),
    v("balance-xor", 2, 0),
    v("broadcast", 3, 0),
    v("802.3ad", 4, 0),
    v("balance-tlb", 5, 0),
    v("balance-alb", 6, 0),
];

/// `packets_per_slave`.
pub(crate) const PACKETS_PER_SLAVE_VALUES: &[OptValue] =
    &[v("default", 1, VAL_DEFAULT), v("maxval", u16::MAX as u64, VAL_MAX)];

/// `xmit_hash_policy`.
pub(crate) const XMIT_HASH_VALUES: &[OptValue] = &[
    v("layer2", 0, VAL_DEFAULT),
    v("layer3+4", 1, 0),
    v("layer2+3", 2, 0),
    v("encap2+3", 3, 0),
    v("encap3+4", 4, 0),
    v("vlan+srcmac", 5, 0),
];

/// `arp_validate`.
pub(crate) const ARP_VALIDATE_VALUES: &[OptValue] = &[
    v("none", 0, VAL_DEFAULT),
    v("active", 1, 0),
    v("backup", 2, 0),
    v("all", 3, 0),
    v("filter", 4, 0),
    v("filter_active", 5, 0),
    v("filter_backup", 6, 0),
];

/// `arp_all_targets`.
pub(crate) const ARP_ALL_TARGETS_VALUES: &[OptValue] = &[v("any", 0, VAL_DEFAULT), v("all", 1, 0)];

/// `fail_over_mac`.
pub(crate) const FAIL_OVER_MAC_VALUES: &[OptValue] =
    &[v("none", 0, VAL_DEFAULT), v("active", 1, 0), v("follow", 2, 0)];

/// `miimon`, `updelay`, `downdelay`, `arp_interval`, `min_links`: 0 ("off") to `INT_MAX`.
pub(crate) const INTMAX_VALUES: &[OptValue] =
    &[v("off", 0, VAL_DEFAULT), v("maxval", i32::MAX as u64, VAL_MAX)];

/// `lacp_active`.
pub(crate) const LACP_ACTIVE_VALUES: &[OptValue] = &[v("off", 0, 0), v("on", 1, VAL_DEFAULT)];

/// `lacp_rate`.
pub(crate) const LACP_RATE_VALUES: &[OptValue] = &[v("slow", 0, 0), v("fast", 1, 0)];

/// `ad_select`.
pub(crate) const AD_SELECT_VALUES: &[OptValue] =
    &[v("stable", 0, VAL_DEFAULT), v("bandwidth", 1, 0), v("count", 2, 0)];

/// `num_grat_arp` / `num_unsol_na`.
pub(crate) const NUM_PEER_NOTIF_VALUES: &[OptValue] =
    &[v("off", 0, 0), v("maxval", 255, VAL_MAX), v("default", 1, VAL_DEFAULT)];

/// `peer_notif_delay`.
pub(crate) const PEER_NOTIF_DELAY_VALUES: &[OptValue] = &[v("off", 0, 0), v("maxval", 300000, VAL_MAX)];

/// `primary_reselect`.
pub(crate) const PRIMARY_RESELECT_VALUES: &[OptValue] =
    &[v("always", 0, VAL_DEFAULT), v("better", 1, 0), v("failure", 2, 0)];

/// `use_carrier`.
pub(crate) const USE_CARRIER_VALUES: &[OptValue] = &[v("off", 0, 0), v("on", 1, VAL_DEFAULT)];

/// `all_slaves_active`.
pub(crate) const ALL_SLAVES_ACTIVE_VALUES: &[OptValue] = &[v("off", 0, VAL_DEFAULT), v("on", 1, 0)];

/// `resend_igmp`.
pub(crate) const RESEND_IGMP_VALUES: &[OptValue] =
    &[v("off", 0, 0), v("maxval", 255, VAL_MAX), v("default", 1, VAL_DEFAULT)];

/// `lp_interval`.
pub(crate) const LP_INTERVAL_VALUES: &[OptValue] =
    &[v("minval", 1, VAL_MIN | VAL_DEFAULT), v("maxval", i32::MAX as u64, VAL_MAX)];

/// `tlb_dynamic_lb`.
pub(crate) const TLB_DYNAMIC_LB_VALUES: &[OptValue] = &[v("off", 0, 0), v("on", 1, VAL_DEFAULT)];

/// `ad_actor_sys_prio`.
pub(crate) const AD_ACTOR_SYS_PRIO_VALUES: &[OptValue] =
    &[v("minval", 1, VAL_MIN), v("maxval", 65535, VAL_MAX | VAL_DEFAULT)];

/// `ad_user_port_key`.
pub(crate) const AD_USER_PORT_KEY_VALUES: &[OptValue] =
    &[v("minval", 0, VAL_MIN | VAL_DEFAULT), v("maxval", 1023, VAL_MAX)];

/// `arp_missed_max`.
pub(crate) const MISSED_MAX_VALUES: &[OptValue] =
    &[v("minval", 1, VAL_MIN), v("maxval", 255, VAL_MAX), v("default", 2, VAL_DEFAULT)];

/// `coupled_control`.
pub(crate) const COUPLED_CONTROL_VALUES: &[OptValue] = &[v("on", 1, VAL_DEFAULT), v("off", 0, 0)];

/// `broadcast_neighbor`.
pub(crate) const BROADCAST_NEIGHBOR_VALUES: &[OptValue] = &[v("off", 0, VAL_DEFAULT), v("on", 1, 0)];

/// `fail_over_mac` values.
pub(crate) const FOM_ACTIVE: u32 = 1;
/// See [`FOM_ACTIVE`].
pub(crate) const FOM_FOLLOW: u32 = 2;
/// `primary_reselect` values.
pub(crate) const RESELECT_ALWAYS: u32 = 0;
/// See [`RESELECT_ALWAYS`].
pub(crate) const RESELECT_BETTER: u32 = 1;
/// See [`RESELECT_ALWAYS`].
pub(crate) const RESELECT_FAILURE: u32 = 2;

/// The option may only change while the bond has no slaves (`BOND_OPTFLAG_NOSLAVES`).
pub(crate) const NOSLAVES: u8 = 1 << 0;
/// The option may only change while the bond is down (`BOND_OPTFLAG_IFDOWN`).
pub(crate) const IFDOWN: u8 = 1 << 1;
/// The option takes its input unparsed (`BOND_OPTFLAG_RAWVAL`).
pub(crate) const RAWVAL: u8 = 1 << 2;

/// Every mode, as a bit set by mode number.
const ALL_MODES: u8 = 0x7f;
const fn bit(m: Mode) -> u8 {
    1 << (m as u8)
}
/// Every mode but those in `modes` (C: `BOND_MODE_ALL_EX`).
const fn all_except(modes: u8) -> u8 {
    ALL_MODES & !modes
}
const NO_ARP_MODES: u8 = bit(Mode::Ieee8023ad) | bit(Mode::BalanceTlb) | bit(Mode::BalanceAlb);
const PRIMARY_MODES: u8 = bit(Mode::ActiveBackup) | bit(Mode::BalanceTlb) | bit(Mode::BalanceAlb);

/// Every bonding option (C: `enum BOND_OPT_*`, `bond_opts[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opt {
    Mode,
    PacketsPerSlave,
    XmitHash,
    ArpValidate,
    ArpAllTargets,
    FailOverMac,
    ArpInterval,
    MissedMax,
    ArpTargets,
    /// `ns_ip6_target` (netlink only).
    NsTargets,
    Downdelay,
    Updelay,
    LacpActive,
    LacpRate,
    MinLinks,
    AdSelect,
    NumPeerNotif,
    Miimon,
    Prio,
    Primary,
    PrimaryReselect,
    UseCarrier,
    ActiveSlave,
    QueueId,
    AllSlavesActive,
    ResendIgmp,
    LpInterval,
    Slaves,
    TlbDynamicLb,
    AdActorSysPrio,
    /// A slave's `actor_port_prio` (netlink only).
    ActorPortPrio,
    AdActorSystem,
    AdUserPortKey,
    NumPeerNotifAlias,
    PeerNotifDelay,
    CoupledControl,
    /// Kept for the option table's completeness: 6.12 has neither a sysfs file nor a
    /// netlink attribute for it.
    #[allow(dead_code)]
    BroadcastNeighbor,
}

/// What the option table says of one option.
pub(crate) struct OptDef {
    /// The name in sysfs and messages.
    pub(crate) name: &'static str,
    /// Its values (empty for [`RAWVAL`] options).
    pub(crate) values: &'static [OptValue],
    /// [`NOSLAVES`], [`IFDOWN`], [`RAWVAL`].
    pub(crate) flags: u8,
    /// Modes in which the option cannot be set, by mode number.
    pub(crate) unsupp: u8,
}

const fn def(name: &'static str, values: &'static [OptValue], flags: u8, unsupp: u8) -> OptDef {
    OptDef { name, values, flags, unsupp }
}

impl Opt {
    /// The option's table entry.
    pub(crate) fn def(self) -> &'static OptDef {
        const MODE: OptDef = def("mode", MODE_VALUES, NOSLAVES | IFDOWN, 0);
        const PPS: OptDef = def("packets_per_slave", PACKETS_PER_SLAVE_VALUES, 0, all_except(bit(Mode::BalanceRr)));
        const XMIT_HASH: OptDef = def("xmit_hash_policy", XMIT_HASH_VALUES, 0, 0);
        const ARP_VALIDATE: OptDef = def("arp_validate", ARP_VALIDATE_VALUES, 0, NO_ARP_MODES);
        const ARP_ALL_TARGETS: OptDef = def("arp_all_targets", ARP_ALL_TARGETS_VALUES, 0, 0);
        const FOM: OptDef = def("fail_over_mac", FAIL_OVER_MAC_VALUES, NOSLAVES, 0);
        const ARP_INTERVAL: OptDef = def("arp_interval", INTMAX_VALUES, 0, NO_ARP_MODES);
        const MISSED_MAX: OptDef = def("arp_missed_max", MISSED_MAX_VALUES, 0, NO_ARP_MODES);
        const ARP_TARGETS: OptDef = def("arp_ip_target", &[], RAWVAL, 0);
        const NS_TARGETS: OptDef = def("ns_ip6_target", &[], RAWVAL, 0);
        const DOWNDELAY: OptDef = def("downdelay", INTMAX_VALUES, 0, 0);
        const UPDELAY: OptDef = def("updelay", INTMAX_VALUES, 0, 0);
        const LACP_ACTIVE: OptDef = def("lacp_active", LACP_ACTIVE_VALUES, IFDOWN, all_except(bit(Mode::Ieee8023ad)));
        const LACP_RATE: OptDef = def("lacp_rate", LACP_RATE_VALUES, IFDOWN, all_except(bit(Mode::Ieee8023ad)));
        const MIN_LINKS: OptDef = def("min_links", INTMAX_VALUES, 0, 0);
        const AD_SELECT: OptDef = def("ad_select", AD_SELECT_VALUES, IFDOWN, 0);
        const NUM_PEER_NOTIF: OptDef = def("num_unsol_na", NUM_PEER_NOTIF_VALUES, 0, 0);
        const MIIMON: OptDef = def("miimon", INTMAX_VALUES, 0, 0);
        const PRIO: OptDef = def("prio", &[], RAWVAL, all_except(PRIMARY_MODES));
        const PRIMARY: OptDef = def("primary", &[], RAWVAL, all_except(PRIMARY_MODES));
        const PRIMARY_RESELECT: OptDef = def("primary_reselect", PRIMARY_RESELECT_VALUES, 0, 0);
        const USE_CARRIER: OptDef = def("use_carrier", USE_CARRIER_VALUES, 0, 0);
        const ACTIVE_SLAVE: OptDef = def("active_slave", &[], RAWVAL, all_except(PRIMARY_MODES));
        const QUEUE_ID: OptDef = def("queue_id", &[], RAWVAL, 0);
        const ALL_SLAVES_ACTIVE: OptDef = def("all_slaves_active", ALL_SLAVES_ACTIVE_VALUES, 0, 0);
        const RESEND_IGMP: OptDef = def("resend_igmp", RESEND_IGMP_VALUES, 0, 0);
        const LP_INTERVAL: OptDef = def("lp_interval", LP_INTERVAL_VALUES, 0, 0);
        const SLAVES: OptDef = def("slaves", &[], RAWVAL, 0);
        const TLB_DYNAMIC_LB: OptDef = def(
            "tlb_dynamic_lb",
            TLB_DYNAMIC_LB_VALUES,
            IFDOWN,
            all_except(bit(Mode::BalanceTlb) | bit(Mode::BalanceAlb)),
        );
        const AD_ACTOR_SYS_PRIO: OptDef = def("ad_actor_sys_prio", AD_ACTOR_SYS_PRIO_VALUES, 0, all_except(bit(Mode::Ieee8023ad)));
        const ACTOR_PORT_PRIO: OptDef = def("actor_port_prio", &[], RAWVAL, all_except(bit(Mode::Ieee8023ad)));
        const AD_ACTOR_SYSTEM: OptDef = def("ad_actor_system", &[], RAWVAL, all_except(bit(Mode::Ieee8023ad)));
        const AD_USER_PORT_KEY: OptDef = def("ad_user_port_key", AD_USER_PORT_KEY_VALUES, IFDOWN, all_except(bit(Mode::Ieee8023ad)));
        const NUM_PEER_NOTIF_ALIAS: OptDef = def("num_grat_arp", NUM_PEER_NOTIF_VALUES, 0, 0);
        const PEER_NOTIF_DELAY: OptDef = def("peer_notif_delay", PEER_NOTIF_DELAY_VALUES, 0, 0);
        const COUPLED_CONTROL: OptDef = def("coupled_control", COUPLED_CONTROL_VALUES, IFDOWN, all_except(bit(Mode::Ieee8023ad)));
        const BROADCAST_NEIGHBOR: OptDef = def("broadcast_neighbor", BROADCAST_NEIGHBOR_VALUES, 0, all_except(bit(Mode::Ieee8023ad)));
        match self {
            Opt::Mode => &MODE,
            Opt::PacketsPerSlave => &PPS,
            Opt::XmitHash => &XMIT_HASH,
            Opt::ArpValidate => &ARP_VALIDATE,
            Opt::ArpAllTargets => &ARP_ALL_TARGETS,
            Opt::FailOverMac => &FOM,
            Opt::ArpInterval => &ARP_INTERVAL,
            Opt::MissedMax => &MISSED_MAX,
            Opt::ArpTargets => &ARP_TARGETS,
            Opt::NsTargets => &NS_TARGETS,
            Opt::Downdelay => &DOWNDELAY,
            Opt::Updelay => &UPDELAY,
            Opt::LacpActive => &LACP_ACTIVE,
            Opt::LacpRate => &LACP_RATE,
            Opt::MinLinks => &MIN_LINKS,
            Opt::AdSelect => &AD_SELECT,
            Opt::NumPeerNotif => &NUM_PEER_NOTIF,
            Opt::Miimon => &MIIMON,
            Opt::Prio => &PRIO,
            Opt::Primary => &PRIMARY,
            Opt::PrimaryReselect => &PRIMARY_RESELECT,
            Opt::UseCarrier => &USE_CARRIER,
            Opt::ActiveSlave => &ACTIVE_SLAVE,
            Opt::QueueId => &QUEUE_ID,
            Opt::AllSlavesActive => &ALL_SLAVES_ACTIVE,
            Opt::ResendIgmp => &RESEND_IGMP,
            Opt::LpInterval => &LP_INTERVAL,
            Opt::Slaves => &SLAVES,
            Opt::TlbDynamicLb => &TLB_DYNAMIC_LB,
            Opt::AdActorSysPrio => &AD_ACTOR_SYS_PRIO,
            Opt::ActorPortPrio => &ACTOR_PORT_PRIO,
            Opt::AdActorSystem => &AD_ACTOR_SYSTEM,
            Opt::AdUserPortKey => &AD_USER_PORT_KEY,
            Opt::NumPeerNotifAlias => &NUM_PEER_NOTIF_ALIAS,
            Opt::PeerNotifDelay => &PEER_NOTIF_DELAY,
            Opt::CoupledControl => &COUPLED_CONTROL,
            Opt::BroadcastNeighbor => &BROADCAST_NEIGHBOR,
        }
    }

    /// `true` if the option cannot be set in `mode` (the mode dependency check).
    pub(crate) fn unsupported_in(self, mode: Mode) -> bool {
        self.def().unsupp & bit(mode) != 0
    }

    /// The `(min, max)` the option's table allows, if it has a range (for error messages).
    pub(crate) fn range(self) -> Option<(u64, u64)> {
        let values = self.def().values;
        let max = values.iter().find(|v| v.flags & VAL_MAX != 0)?;
        let min = values.iter().find(|v| v.flags & VAL_MIN != 0).map_or(0, |v| v.value);
        Some((min, max.value))
    }
}

/// The longest word `bond_opt_parse()` compares (`%32s`).
const MAX_NAME_LEN: usize = 32;

/// What an option is set from: text (sysfs, module parameters) or a number (netlink).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input<'a> {
    /// Text as written: a value's name, `default`, or a decimal number.
    Text(&'a [u8]),
    /// A number, as netlink carries it.
    Number(u64),
}

/// Finds the value `input` selects in `values`, as `bond_opt_parse()` does.
///
/// Text made only of digits and white space is a number; anything else is a name, taken as its
/// first word (a trailing newline is dropped). A number matches a named value with that number
/// or, failing that, lies within the `minval`..`maxval` range of the table (a table without
/// `maxval` has no range). `None` means no match: bonding.ko answers `EINVAL`.
pub(crate) fn parse(values: &[OptValue], input: Input<'_>) -> Option<u64> {
    let number = match input {
        Input::Number(n) => n,
        Input::Text(text) => {
            let text = match text.iter().position(|&b| b == b'\n') {
                Some(end) => &text[..end],
                None => text,
            };
            if text.iter().all(|b| b.is_ascii_digit() || is_space(*b)) {
                parse_decimal(text)?
            } else {
                let word = first_word(text);
                return values
                    .iter()
                    .find(|val| {
                        val.name.as_bytes() == word
                            || (word == b"default" && val.flags & VAL_DEFAULT != 0)
                    })
                    .map(|val| val.value);
            }
        }
    };
    if values.iter().any(|val| val.value == number) {
        return Some(number);
    }
    let max = values.iter().find(|val| val.flags & VAL_MAX != 0)?;
    let min = values.iter().find(|val| val.flags & VAL_MIN != 0);
    if number > max.value || min.map_or(false, |min| number < min.value) {
        return None;
    }
    Some(number)
}

/// The name of `value` in `values`, for sysfs and procfs output.
pub(crate) fn name_of(values: &[OptValue], value: u64) -> Option<&'static str> {
    values.iter().find(|val| val.value == value).map(|val| val.name)
}

/// C's `isspace()` in the kernel's ctype table.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `sscanf(text, "%32s")`: the first word, at most 32 bytes.
fn first_word(text: &[u8]) -> &[u8] {
    let start = text.iter().position(|&b| !is_space(b)).unwrap_or(text.len());
    let rest = &text[start..];
    let len = rest.iter().position(|&b| is_space(b)).unwrap_or(rest.len());
    &rest[..len.min(MAX_NAME_LEN)]
}

/// `sscanf(text, "%llu")` on text of digits and spaces: the first run of digits.
/// Overflow is refused rather than wrapped, so a huge number never lands on a valid value.
fn parse_decimal(text: &[u8]) -> Option<u64> {
    let start = text.iter().position(|&b| !is_space(b))?;
    let digits = &text[start..];
    let len = digits.iter().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    digits[..len].iter().try_fold(0u64, |acc, &d| acc.checked_mul(10)?.checked_add((d - b'0') as u64))
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_options)]
mod tests {
    use super::*;

    fn text(s: &str) -> Input<'_> {
        Input::Text(s.as_bytes())
    }

    #[test]
    fn every_mode_name_and_number_parses() {
        for (number, val) in MODE_VALUES.iter().enumerate() {
            assert_eq!(parse(MODE_VALUES, text(val.name)), Some(number as u64));
            assert_eq!(parse(MODE_VALUES, text(&digit(number))), Some(number as u64));
            assert_eq!(parse(MODE_VALUES, Input::Number(number as u64)), Some(number as u64));
            let mode = Mode::from_value(number as u64);
            assert_eq!(mode.map(Mode::name), Some(val.name));
        }
    }

    /// The decimal digit of a mode number (modes go from 0 to 6).
    fn digit(n: usize) -> &'static str {
        ["0", "1", "2", "3", "4", "5", "6"][n]
    }

    #[test]
    fn mode_text_is_taken_like_sysfs_takes_it() {
        assert_eq!(parse(MODE_VALUES, text("active-backup\n")), Some(1));
        assert_eq!(parse(MODE_VALUES, text("  802.3ad  ")), Some(4));
        assert_eq!(parse(MODE_VALUES, text("balance-alb extra words")), Some(6));
        assert_eq!(parse(MODE_VALUES, text(" 2 ")), Some(2));
        assert_eq!(parse(MODE_VALUES, text("default")), Some(0));
    }

    #[test]
    fn bad_modes_are_refused() {
        for bad in ["banana", "7", "-1", "Active-Backup", "1x", "0x1", "99999999999999999999999", ""] {
            assert_eq!(parse(MODE_VALUES, text(bad)), None);
        }
        assert_eq!(parse(MODE_VALUES, Input::Number(7)), None);
        assert_eq!(Mode::from_value(7), None);
    }

    #[test]
    fn ranges_follow_minval_and_maxval() {
        assert_eq!(parse(INTMAX_VALUES, text("100")), Some(100));
        assert_eq!(parse(INTMAX_VALUES, text("off")), Some(0));
        assert_eq!(parse(INTMAX_VALUES, text("2147483647")), Some(i32::MAX as u64));
        assert_eq!(parse(INTMAX_VALUES, text("2147483648")), None);
        assert_eq!(parse(LP_INTERVAL_VALUES, text("0")), None);
        assert_eq!(parse(MISSED_MAX_VALUES, text("default")), Some(2));
        assert_eq!(parse(MISSED_MAX_VALUES, text("256")), None);
        assert_eq!(parse(PACKETS_PER_SLAVE_VALUES, text("65535")), Some(65535));
        assert_eq!(parse(PACKETS_PER_SLAVE_VALUES, text("65536")), None);
        // No maxval: only the named values.
        assert_eq!(parse(LACP_RATE_VALUES, text("2")), None);
        assert_eq!(parse(LACP_RATE_VALUES, text("fast")), Some(1));
    }

    #[test]
    fn names_round_trip() {
        for table in [XMIT_HASH_VALUES, ARP_VALIDATE_VALUES, FAIL_OVER_MAC_VALUES, AD_SELECT_VALUES,
                      PRIMARY_RESELECT_VALUES, ARP_ALL_TARGETS_VALUES] {
            for val in table {
                assert_eq!(parse(table, text(val.name)), Some(val.value));
                assert_eq!(name_of(table, val.value), Some(val.name));
            }
        }
    }

    #[test]
    fn mode_dependencies_follow_bond_options_c() {
        // packets_per_slave: balance-rr only.
        assert!(!Opt::PacketsPerSlave.unsupported_in(Mode::BalanceRr));
        assert!(Opt::PacketsPerSlave.unsupported_in(Mode::ActiveBackup));
        // primary, active_slave, prio: active-backup, tlb, alb.
        for opt in [Opt::Primary, Opt::ActiveSlave, Opt::Prio] {
            assert!(!opt.unsupported_in(Mode::ActiveBackup));
            assert!(!opt.unsupported_in(Mode::BalanceAlb));
            assert!(opt.unsupported_in(Mode::BalanceRr));
            assert!(opt.unsupported_in(Mode::Ieee8023ad));
        }
        // The ARP monitor's options: not in 802.3ad, tlb, alb.
        for opt in [Opt::ArpInterval, Opt::ArpValidate, Opt::MissedMax] {
            assert!(!opt.unsupported_in(Mode::ActiveBackup));
            assert!(opt.unsupported_in(Mode::Ieee8023ad));
            assert!(opt.unsupported_in(Mode::BalanceTlb));
        }
        // lacp_rate: 802.3ad only; miimon everywhere.
        assert!(!Opt::LacpRate.unsupported_in(Mode::Ieee8023ad));
        assert!(Opt::LacpRate.unsupported_in(Mode::ActiveBackup));
        assert!(!Opt::Miimon.unsupported_in(Mode::Broadcast));
    }

    #[test]
    fn flags_and_ranges_follow_bond_options_c() {
        assert_eq!(Opt::Mode.def().flags, NOSLAVES | IFDOWN);
        assert_eq!(Opt::FailOverMac.def().flags, NOSLAVES);
        assert_eq!(Opt::AdSelect.def().flags, IFDOWN);
        assert_eq!(Opt::Slaves.def().flags, RAWVAL);
        assert_eq!(Opt::Miimon.range(), Some((0, 2147483647)));
        assert_eq!(Opt::NumPeerNotif.range(), Some((0, 255)));
        assert_eq!(Opt::LpInterval.range(), Some((1, 2147483647)));
        assert_eq!(Opt::PeerNotifDelay.range(), Some((0, 300000)));
        assert_eq!(Opt::Primary.range(), None);
        assert_eq!(Opt::NumPeerNotifAlias.def().name, "num_grat_arp");
        assert_eq!(Opt::NumPeerNotif.def().name, "num_unsol_na");
        assert_eq!(Opt::MissedMax.def().name, "arp_missed_max");
    }
}
