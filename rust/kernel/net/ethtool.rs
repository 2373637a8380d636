// SPDX-License-Identifier: GPL-2.0

//! The ethtool structures drivers fill in (`ethtool_drvinfo`, `ethtool_link_ksettings`).
//!
//! C header: [`include/linux/ethtool.h`](srctree/include/linux/ethtool.h).

use crate::{bindings, str::CStr};

/// Copies `s` into a fixed C char array, truncated and NUL-terminated like `strscpy`.
fn copy_str(dst: &mut [crate::ffi::c_char], s: &CStr) {
    let n = s.len().min(dst.len().saturating_sub(1));
    for (d, &b) in dst.iter_mut().zip(&s.as_bytes()[..n]) {
        *d = b as crate::ffi::c_char;
    }
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}

/// Driver information (`ethtool -i`).
///
/// # Invariants
///
/// Same layout as `struct ethtool_drvinfo`.
#[repr(transparent)]
pub struct DrvInfo(bindings::ethtool_drvinfo);

impl DrvInfo {
    /// # Safety
    ///
    /// `ptr` must be valid and exclusively ours for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::ethtool_drvinfo) -> &'a mut Self {
        // SAFETY: Transparent wrapper; validity is up to the caller.
        unsafe { &mut *ptr.cast() }
    }

    /// Sets the driver name.
    pub fn set_driver(&mut self, s: &CStr) {
        copy_str(&mut self.0.driver, s);
    }
    /// Sets the driver version.
    pub fn set_version(&mut self, s: &CStr) {
        copy_str(&mut self.0.version, s);
    }
    /// Sets the firmware version.
    pub fn set_fw_version(&mut self, s: &CStr) {
        copy_str(&mut self.0.fw_version, s);
    }
    /// Sets the bus information.
    pub fn set_bus_info(&mut self, s: &CStr) {
        copy_str(&mut self.0.bus_info, s);
    }
}

/// Link settings (`ethtool DEV`): speed, duplex, port.
///
/// # Invariants
///
/// Same layout as `struct ethtool_link_ksettings`.
#[repr(transparent)]
pub struct LinkKsettings(bindings::ethtool_link_ksettings);

/// Unknown speed (`SPEED_UNKNOWN`).
pub const SPEED_UNKNOWN: u32 = u32::MAX;
/// Half duplex.
pub const DUPLEX_HALF: u8 = bindings::DUPLEX_HALF as u8;
/// Full duplex.
pub const DUPLEX_FULL: u8 = bindings::DUPLEX_FULL as u8;
/// Unknown duplex.
pub const DUPLEX_UNKNOWN: u8 = bindings::DUPLEX_UNKNOWN as u8;
/// Port type "other" (`PORT_OTHER`).
pub const PORT_OTHER: u8 = bindings::PORT_OTHER as u8;

impl LinkKsettings {
    /// # Safety
    ///
    /// `ptr` must be valid and exclusively ours for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::ethtool_link_ksettings) -> &'a mut Self {
        // SAFETY: Transparent wrapper; validity is up to the caller.
        unsafe { &mut *ptr.cast() }
    }

    /// Sets the speed in Mb/s.
    pub fn set_speed(&mut self, speed: u32) {
        self.0.base.speed = speed;
    }
    /// Sets the duplex.
    pub fn set_duplex(&mut self, duplex: u8) {
        self.0.base.duplex = duplex;
    }
    /// Sets the port type.
    pub fn set_port(&mut self, port: u8) {
        self.0.base.port = port;
    }
}
