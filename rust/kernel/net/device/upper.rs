// SPDX-License-Identifier: GPL-2.0

//! The devices stacked on a device (VLANs, macvlans, a bond's master...), and what a VLAN
//! device is.
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h)
//! (`netdev_for_each_upper_dev_rcu`) and [`include/linux/if_vlan.h`](srctree/include/linux/if_vlan.h).
//!
//! Bonding walks these to tag its ARP probes for the VLANs between the bond and the device a
//! route goes through (`bond_verify_device_path()`), and balance-alb to send learning packets
//! for the VLANs and macvlans above the bond.

use super::{priv_flags, Device, VlanProto};
use crate::{bindings, sync::rcu};
use core::ptr;

impl Device {
    /// The devices directly above this one (`netdev_for_each_upper_dev_rcu`), as the RCU
    /// read-side section of `guard` sees them. They stay valid until it ends: an unlinked
    /// device is freed only after a grace period.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{c_str, net::{Device, Net}, sync::rcu};
    ///
    /// let lo = Device::get_by_name(Net::init_ns(), c_str!("lo")).ok_or(ENODEV)?;
    /// let guard = rcu::read_lock();
    /// // Nothing is stacked on the loopback device, and it is neither a VLAN nor a macvlan.
    /// assert_eq!(lo.uppers_rcu(&guard).count(), 0);
    /// assert!(lo.vlan().is_none() && !lo.is_macvlan());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn uppers_rcu<'a>(&'a self, _guard: &'a rcu::Guard) -> impl Iterator<Item = &'a Device> + 'a {
        let dev = self.as_raw();
        // SAFETY: `adj_list.upper` is the head of the device's list of upper devices; only
        // its address is taken.
        let mut iter = unsafe { ptr::addr_of_mut!((*dev).adj_list.upper) };
        core::iter::from_fn(move || {
            // SAFETY: The device is valid, `iter` is the list head or the last entry returned,
            // and the caller is in an RCU read-side section (`guard`), as the walk requires.
            let upper = unsafe { bindings::netdev_upper_get_next_dev_rcu(dev, &mut iter) };
            // SAFETY: A returned upper device stays valid for the read-side section, which
            // outlives `'a`.
            (!upper.is_null()).then(|| unsafe { Device::from_raw(upper) })
        })
    }

    /// `true` for a macvlan device (`netif_is_macvlan`).
    pub fn is_macvlan(&self) -> bool {
        self.priv_flags() & priv_flags::MACVLAN != 0
    }

    /// For an 802.1Q or 802.1ad VLAN device (`is_vlan_dev`), its protocol and VLAN id
    /// (`vlan_dev_vlan_proto`, `vlan_dev_vlan_id`); `None` for any other device.
    pub fn vlan(&self) -> Option<(VlanProto, u16)> {
        if self.priv_flags() & priv_flags::VLAN_8021Q == 0 {
            return None;
        }
        vlan_of(self)
    }
}

/// A VLAN device's protocol and id.
#[cfg(CONFIG_VLAN_8021Q)]
fn vlan_of(dev: &Device) -> Option<(VlanProto, u16)> {
    // SAFETY: The caller checked that `dev` is a VLAN device, whose VLAN data these read.
    let (proto, id) = unsafe {
        (bindings::vlan_dev_vlan_proto(dev.as_raw()), bindings::vlan_dev_vlan_id(dev.as_raw()))
    };
    Some((VlanProto(proto), id))
}

/// Without 802.1Q support there are no VLAN devices.
#[cfg(not(CONFIG_VLAN_8021Q))]
fn vlan_of(_dev: &Device) -> Option<(VlanProto, u16)> {
    None
}
