// SPDX-License-Identifier: GPL-2.0

//! Kernel log lines in bonding.ko's format: `netdev_info(bond_dev, ...)` prints
//! "bond0: ...", `slave_info(bond_dev, slave_dev, ...)` prints "bond0: (slave eth0): ..."
//! (include/net/bonding.h).

/// `netdev_<level>(bond, fmt, ...)`.
#[macro_export]
macro_rules! log_bond {
    ($dev:expr, $level:ident, $($arg:tt)+) => {
        $dev.log(kernel::net::device::Level::$level, format_args!($($arg)+))
    };
}

/// `slave_<level>(bond, slave, fmt, ...)`.
#[macro_export]
macro_rules! log_slave {
    ($dev:expr, $slave:expr, $level:ident, $fmt:literal $($arg:tt)*) => {
        $dev.log(
            kernel::net::device::Level::$level,
            format_args!(concat!("(slave {}): ", $fmt), $slave.name() $($arg)*),
        )
    };
}

/// `pr_<level>()` in bond_main.c, bond_3ad.c, bond_alb.c and bond_procfs.c, which have no
/// `pr_fmt`: the message as it is, with no module name first. (bond_sysfs.c's messages, which
/// its `pr_fmt` starts with "bonding: ", keep `pr_*!` and its "rbond: ".)
#[macro_export]
macro_rules! log_plain {
    ($level:ident, $($arg:tt)+) => {
        kernel::net::device::log_plain(kernel::net::device::Level::$level, format_args!($($arg)+))
    };
}
