// SPDX-License-Identifier: GPL-2.0

//! Device feature flags (`netdev_features_t`).
//!
//! C header: [`include/linux/netdev_features.h`](srctree/include/linux/netdev_features.h).

use crate::bindings;
use core::ops::{BitAnd, BitOr, Not};

/// A set of `NETIF_F_*` features.
///
/// # Examples
///
/// ```
/// use kernel::net::device::Features;
///
/// let f = Features::SG | Features::HW_CSUM;
/// assert!(f.contains(Features::SG));
/// assert!(!f.contains(Features::SG | Features::TSO));
/// assert!(Features::GSO_SOFTWARE.contains(Features::TSO));
/// assert_eq!(f & !Features::SG, Features::HW_CSUM);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features(pub u64);

const fn bit(b: u32) -> Features {
    Features(1u64 << b)
}

impl Features {
    /// No features.
    pub const EMPTY: Self = Self(0);
    /// Scatter/gather IO.
    pub const SG: Self = bit(bindings::NETIF_F_SG_BIT);
    /// Checksums any protocol in hardware.
    pub const HW_CSUM: Self = bit(bindings::NETIF_F_HW_CSUM_BIT);
    /// Can DMA to high memory.
    pub const HIGHDMA: Self = bit(bindings::NETIF_F_HIGHDMA_BIT);
    /// Scatter/gather of fragment lists.
    pub const FRAGLIST: Self = bit(bindings::NETIF_F_FRAGLIST_BIT);
    /// Transmit VLAN CTAG offload.
    pub const HW_VLAN_CTAG_TX: Self = bit(bindings::NETIF_F_HW_VLAN_CTAG_TX_BIT);
    /// Receive VLAN CTAG offload.
    pub const HW_VLAN_CTAG_RX: Self = bit(bindings::NETIF_F_HW_VLAN_CTAG_RX_BIT);
    /// Receive filtering on VLAN CTAGs.
    pub const HW_VLAN_CTAG_FILTER: Self = bit(bindings::NETIF_F_HW_VLAN_CTAG_FILTER_BIT);
    /// Transmit VLAN STAG offload.
    pub const HW_VLAN_STAG_TX: Self = bit(bindings::NETIF_F_HW_VLAN_STAG_TX_BIT);
    /// Receive VLAN STAG offload.
    pub const HW_VLAN_STAG_RX: Self = bit(bindings::NETIF_F_HW_VLAN_STAG_RX_BIT);
    /// Receive filtering on VLAN STAGs.
    pub const HW_VLAN_STAG_FILTER: Self = bit(bindings::NETIF_F_HW_VLAN_STAG_FILTER_BIT);
    /// Cannot handle VLAN packets.
    pub const VLAN_CHALLENGED: Self = bit(bindings::NETIF_F_VLAN_CHALLENGED_BIT);
    /// Generic segmentation offload.
    pub const GSO: Self = bit(bindings::NETIF_F_GSO_BIT);
    /// Large receive offload.
    pub const LRO: Self = bit(bindings::NETIF_F_LRO_BIT);
    /// Receive checksumming offload.
    pub const RXCSUM: Self = bit(bindings::NETIF_F_RXCSUM_BIT);
    /// TCP segmentation offload.
    pub const TSO: Self = bit(bindings::NETIF_F_TSO_BIT);
    /// Hardware offload of ESP.
    pub const HW_ESP: Self = bit(bindings::NETIF_F_HW_ESP_BIT);
    /// Every software GSO type.
    pub const GSO_SOFTWARE: Self = Self(bindings::NETIF_F_GSO_SOFTWARE);
    /// Every encapsulation GSO type.
    pub const GSO_ENCAP_ALL: Self = Self(bindings::NETIF_F_GSO_ENCAP_ALL);
    /// Every TSO type.
    pub const ALL_TSO: Self = Self(bindings::NETIF_F_ALL_TSO);
    /// Features an upper device has if one lower device has them.
    pub const ONE_FOR_ALL: Self = Self(bindings::NETIF_F_ONE_FOR_ALL);
    /// Features an upper device has only if all lower devices have them.
    pub const ALL_FOR_ALL: Self = Self(bindings::NETIF_F_ALL_FOR_ALL);
    /// Every checksum feature.
    pub const CSUM_MASK: Self = Self(bindings::NETIF_F_CSUM_MASK);
    /// Every GSO feature.
    pub const GSO_MASK: Self = Self(bindings::NETIF_F_GSO_MASK);

    /// The features a virtual master offers VLANs on top (`MASTER_UPPER_DEV_VLAN_FEATURES`).
    pub const MASTER_UPPER_DEV_VLAN: Self = Self(bindings::MASTER_UPPER_DEV_VLAN_FEATURES);
    /// Partial GSO.
    pub const GSO_PARTIAL: Self = bit(bindings::NETIF_F_GSO_PARTIAL_BIT);

    /// The features every device keeps whatever its lowers have (`netdev_base_features`).
    pub fn base(self) -> Self {
        // SAFETY: A pure function of its argument.
        Self(unsafe { bindings::netdev_base_features(self.0) })
    }

    /// Adds TSO features to an upper device's set (`netdev_add_tso_features`).
    pub fn add_tso(self, mask: Self) -> Self {
        // SAFETY: A pure function of its arguments.
        Self(unsafe { bindings::netdev_add_tso_features(self.0, mask.0) })
    }

    /// `true` if every feature of `other` is in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// `true` if `self` and `other` share a feature.
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// Combines the features of two lower devices for their upper device
    /// (`netdev_increment_features`).
    pub fn increment(all: Self, one: Self, mask: Self) -> Self {
        // SAFETY: `netdev_increment_features` is a pure function of its arguments.
        Self(unsafe { bindings::netdev_increment_features(all.0, one.0, mask.0) })
    }
}

impl BitOr for Features {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl BitAnd for Features {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        Self(self.0 & rhs.0)
    }
}

impl Not for Features {
    type Output = Self;
    fn not(self) -> Self {
        Self(!self.0)
    }
}
