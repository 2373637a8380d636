// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`): the packets of the networking stack.
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).
//!
//! [`SkBuff`] owns one packet. It is consumed exactly once: handed to a device with
//! [`SkBuff::transmit`], returned to the stack from an rx_handler, or dropped (freed with
//! `kfree_skb`, counted as a drop) or [`SkBuff::consume`]d (freed as successfully used).

use super::device::Device;
use crate::{
    bindings,
    error::{code::*, to_result, Result},
};
use core::{
    mem::{ManuallyDrop, MaybeUninit},
    ptr::NonNull,
};

/// Ethernet protocol numbers (`ETH_P_*`), host byte order.
pub mod eth_p {
    /// IPv4.
    pub const IP: u16 = crate::bindings::ETH_P_IP as u16;
    /// ARP.
    pub const ARP: u16 = crate::bindings::ETH_P_ARP as u16;
    /// IPv6.
    pub const IPV6: u16 = crate::bindings::ETH_P_IPV6 as u16;
    /// 802.1Q VLAN.
    pub const VLAN_8021Q: u16 = crate::bindings::ETH_P_8021Q as u16;
    /// 802.1ad VLAN (service tag).
    pub const VLAN_8021AD: u16 = crate::bindings::ETH_P_8021AD as u16;
    /// Slow protocols (LACP, marker), IEEE 802.3 Annex 57A.
    pub const SLOW: u16 = crate::bindings::ETH_P_SLOW as u16;
}

/// Packet types (`skb->pkt_type`, `PACKET_*`).
pub mod pkt_type {
    /// To us.
    pub const HOST: u8 = crate::bindings::PACKET_HOST as u8;
    /// To all.
    pub const BROADCAST: u8 = crate::bindings::PACKET_BROADCAST as u8;
    /// To a group.
    pub const MULTICAST: u8 = crate::bindings::PACKET_MULTICAST as u8;
    /// To someone else.
    pub const OTHERHOST: u8 = crate::bindings::PACKET_OTHERHOST as u8;
    /// Looped back to us (`PACKET_LOOPBACK`).
    pub const LOOPBACK: u8 = crate::bindings::PACKET_LOOPBACK as u8;
}

/// The length of an Ethernet header.
pub const ETH_HLEN: usize = bindings::ETH_HLEN as usize;

/// An owned socket buffer.
///
/// # Examples
///
/// ```
/// use kernel::net::skb::SkBuff;
///
/// let mut skb = SkBuff::alloc(32, 64)?;
/// skb.put(&[0xff; 6])?;
/// skb.put(&[0x02, 0, 0, 0, 0, 1, 0x08, 0x06])?;
/// assert_eq!(skb.len(), 14);
/// skb.set_protocol(0x0806);
/// assert_eq!(skb.protocol(), 0x0806);
/// assert_eq!(skb.read::<2>(12), Some([0x08, 0x06]));
/// assert_eq!(skb.read::<2>(13), None);
/// assert_eq!(skb.read::<14>(0).map(|h| h[13]), Some(0x06));
/// assert_eq!(skb.read::<0>(14), Some([]));
/// assert_eq!(skb.read::<1>(usize::MAX), None);
/// assert_eq!(skb.read::<1>(i32::MAX as usize + 1), None);
/// let clone = skb.try_clone()?;
/// assert_eq!(clone.linear_data(), skb.linear_data());
/// assert!(skb.put(&[0; 8192]).is_err());
/// clone.consume();
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `ptr` points to a valid `struct sk_buff` that this value owns one reference to and that is
/// not shared (`skb_shared()` is false: no one else holds the `sk_buff` itself), so the
/// wrappers may modify its fields. Its *data* may still be cloned (`skb_cloned()`: another
/// `sk_buff` points at the same buffer), so a wrapper that writes packet bytes unclones first.
pub struct SkBuff {
    ptr: NonNull<bindings::sk_buff>,
}

// SAFETY: An skb that is owned and unshared may be handed to another thread.
unsafe impl Send for SkBuff {}

/// Flow keys from the flow dissector, in network byte order as the C structure has them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowKeys {
    /// Network protocol (`ETH_P_*`, host order).
    pub n_proto: u16,
    /// Transport protocol (`IPPROTO_*`).
    pub ip_proto: u8,
    /// IPv4 source and destination, or the IPv6 addresses folded to 32 bits each.
    pub src: u32,
    /// See `src`.
    pub dst: u32,
    /// Transport source and destination ports, as one 32-bit value (`ports.ports`).
    pub ports: u32,
    /// `true` if the packet is a fragment (then `ports` is zero).
    pub is_fragment: bool,
    /// ICMP type, code and echo identifier (0 when the type has none, 1 for a zero one), if
    /// the dissector extracted [`FlowKeySet::ICMP`].
    pub icmp_type: u8,
    /// See `icmp_type`.
    pub icmp_code: u8,
    /// See `icmp_type`.
    pub icmp_id: u16,
}

impl FlowKeys {
    /// # Safety
    ///
    /// `k` must have been zeroed and then filled by the flow dissector.
    #[inline]
    unsafe fn from_raw(k: &bindings::flow_keys) -> Self {
        // SAFETY: `flow_keys` unions hold plain integers; reading either member is defined.
        let (src, dst, ports) = unsafe {
            let a = &k.addrs.__bindgen_anon_1;
            // flow_get_u32_src() / flow_get_u32_dst()
            let (src, dst) = match k.control.addr_type as u32 {
                bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_IPV4_ADDRS => {
                    (a.v4addrs.src, a.v4addrs.dst)
                }
                bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_IPV6_ADDRS => {
                    (fold_ipv6(&a.v6addrs.src), fold_ipv6(&a.v6addrs.dst))
                }
                bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_TIPC => {
                    (a.tipckey.key, a.tipckey.key)
                }
                _ => (0, 0),
            };
            (src, dst, k.ports.__bindgen_anon_1.ports)
        };
        let (icmp_type, icmp_code) = (k.icmp.__bindgen_anon_1.type_, k.icmp.__bindgen_anon_1.code);
        FlowKeys {
            n_proto: u16::from_be(k.basic.n_proto),
            ip_proto: k.basic.ip_proto,
            src,
            dst,
            ports,
            is_fragment: k.control.flags & bindings::flow_dissector_ctrl_flags_FLOW_DIS_IS_FRAGMENT != 0,
            icmp_type,
            icmp_code,
            icmp_id: k.icmp.id,
        }
    }
}

/// The keys a [`FlowDissector`] extracts besides the control and basic keys, which it always
/// has (the dissector requires them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowKeySet(u32);

impl FlowKeySet {
    /// IPv4 addresses.
    pub const IPV4_ADDRS: Self = Self(1 << 0);
    /// IPv6 addresses.
    pub const IPV6_ADDRS: Self = Self(1 << 1);
    /// TIPC node keys.
    pub const TIPC: Self = Self(1 << 2);
    /// Transport ports (or SPI).
    pub const PORTS: Self = Self(1 << 3);
    /// ICMP type, code and identifier.
    pub const ICMP: Self = Self(1 << 4);
    /// VLAN tag.
    pub const VLAN: Self = Self(1 << 5);
    /// IPv6 flow label.
    pub const FLOW_LABEL: Self = Self(1 << 6);
    /// GRE key.
    pub const GRE_KEYID: Self = Self(1 << 7);

    /// Both sets.
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// A set of keys for the flow dissector (`struct flow_dissector`, filled by
/// `skb_flow_dissector_init`), extracting into a `struct flow_keys`, read as [`FlowKeys`].
///
/// The C initialiser `BUG()`s on a duplicate key or without the control and basic keys;
/// [`FlowKeySet`] makes both impossible.
///
/// ```
/// use kernel::net::skb::{FlowDissector, FlowKeySet, SkBuff};
///
/// let d = FlowDissector::new(FlowKeySet::IPV4_ADDRS.with(FlowKeySet::PORTS));
/// let mut skb = SkBuff::alloc(32, 64)?;
/// // 10.0.0.1:4660 -> 10.0.0.2:80, UDP, after an Ethernet header.
/// skb.put(&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00])?;
/// skb.put(&[0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2])?;
/// skb.put(&[0x12, 0x34, 0x00, 0x50, 0, 8, 0, 0])?;
/// skb.set_protocol(0x0800);
/// skb.reset_headers();
/// assert_eq!(skb.network_offset(), 14);
/// // A detached skb (no device, no socket) is dissected in init_net: the debug kernel's
/// // DEBUG_NET_WARN_ON_ONCE(!net) in __skb_flow_dissect() caught this doctest passing NULL.
/// let k = skb.dissect(&d).unwrap();
/// assert_eq!(k.ip_proto, 17);
/// assert_eq!(k.src.to_ne_bytes(), [10, 0, 0, 1]);
/// assert_eq!(k.ports.to_ne_bytes(), [0x12, 0x34, 0x00, 0x50]);
/// assert_eq!(skb.flow_keys().map(|k| k.ip_proto), Some(17));
/// assert_ne!(skb.hash(), 0);
/// # Ok::<(), Error>(())
/// ```
pub struct FlowDissector(bindings::flow_dissector);

impl FlowDissector {
    /// A dissector for the control and basic keys and `keys`.
    pub fn new(keys: FlowKeySet) -> Self {
        use core::mem::offset_of;
        type K = bindings::flow_keys;
        let all: [(FlowKeySet, u32, usize); 8] = [
            (FlowKeySet::IPV4_ADDRS, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_IPV4_ADDRS, offset_of!(K, addrs)),
            (FlowKeySet::IPV6_ADDRS, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_IPV6_ADDRS, offset_of!(K, addrs)),
            (FlowKeySet::TIPC, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_TIPC, offset_of!(K, addrs)),
            (FlowKeySet::PORTS, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_PORTS, offset_of!(K, ports)),
            (FlowKeySet::ICMP, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_ICMP, offset_of!(K, icmp)),
            (FlowKeySet::VLAN, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_VLAN, offset_of!(K, vlan)),
            (FlowKeySet::FLOW_LABEL, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_FLOW_LABEL, offset_of!(K, tags)),
            (FlowKeySet::GRE_KEYID, bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_GRE_KEYID, offset_of!(K, keyid)),
        ];
        let key = |id: u32, offset: usize| bindings::flow_dissector_key {
            key_id: id as _,
            offset: offset as _,
        };
        let mut list = [key(0, 0); 10];
        list[0] = key(bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_CONTROL, offset_of!(K, control));
        list[1] = key(bindings::flow_dissector_key_id_FLOW_DISSECTOR_KEY_BASIC, offset_of!(K, basic));
        let mut n = 2;
        for (bit, id, offset) in all {
            if keys.0 & bit.0 != 0 {
                list[n] = key(id, offset);
                n += 1;
            }
        }
        // SAFETY: All-zero is a valid `flow_dissector` (no keys yet).
        let mut d: bindings::flow_dissector = unsafe { MaybeUninit::zeroed().assume_init() };
        // SAFETY: `list` holds `n` distinct keys below `FLOW_DISSECTOR_KEY_MAX`, control and
        // basic among them, with offsets inside `struct flow_keys`: nothing the C `BUG()`s on.
        unsafe { bindings::skb_flow_dissector_init(&mut d, list.as_ptr(), n as u32) };
        Self(d)
    }
}

// SAFETY: The dissector is plain data, only read by `__skb_flow_dissect`.
unsafe impl Send for FlowDissector {}
// SAFETY: See above.
unsafe impl Sync for FlowDissector {}

impl SkBuff {
    /// Takes ownership of a raw skb.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid skb whose reference the caller owns and gives up, and which is
    /// not shared.
    #[inline]
    pub unsafe fn from_raw(ptr: *mut bindings::sk_buff) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            // SAFETY: The caller passes a valid, hence non-NULL, pointer.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
        }
    }

    /// Borrows a raw skb without taking ownership; the result must not outlive the borrow.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid skb for the life of the returned value, which the caller must not
    /// let free or transmit the skb (the value is wrapped in `ManuallyDrop`).
    #[inline]
    pub(crate) unsafe fn borrow_raw(ptr: *mut bindings::sk_buff) -> ManuallyDrop<Self> {
        // SAFETY: Guaranteed by the caller; `ManuallyDrop` prevents the free on drop.
        ManuallyDrop::new(unsafe { Self::from_raw(ptr) })
    }

    /// Gives up ownership and returns the raw pointer.
    #[inline]
    pub fn into_raw(self) -> *mut bindings::sk_buff {
        ManuallyDrop::new(self).ptr.as_ptr()
    }

    /// The raw pointer, still owned by `self`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::sk_buff {
        self.ptr.as_ptr()
    }

    /// Allocates an skb with `len` bytes of data room after `headroom` reserved bytes, for a
    /// frame built by the driver (an ARP request, an LACPDU). Atomic allocation.
    pub fn alloc(headroom: usize, len: usize) -> Result<Self> {
        let size = u32::try_from(headroom + len).map_err(|_| EINVAL)?;
        // SAFETY: `alloc_skb` may be called in atomic context with `GFP_ATOMIC`.
        let ptr = unsafe { bindings::alloc_skb(size, bindings::GFP_ATOMIC) };
        let ptr = NonNull::new(ptr).ok_or(ENOMEM)?;
        // SAFETY: `ptr` is a fresh skb with `headroom` bytes available to reserve.
        unsafe { bindings::skb_reserve(ptr.as_ptr(), headroom as i32) };
        // INVARIANT: A fresh skb is owned by us and not shared.
        Ok(Self { ptr })
    }

    /// Appends `data` to the packet (`skb_put`); fails with `EMSGSIZE` if there is no
    /// tailroom for it, and with `EINVAL` on a nonlinear skb (paged data: `skb_put` would hit
    /// `SKB_LINEAR_ASSERT`, even for no bytes). A cloned buffer is uncloned first (`ENOMEM` if
    /// that fails), so the bytes never land in a buffer a clone still reads.
    ///
    /// ```
    /// # use kernel::net::skb::SkBuff;
    /// let mut skb = SkBuff::alloc(0, 4)?;
    /// skb.put(&[1, 2])?;
    /// skb.put(&[])?;
    /// // More than any slab rounding of the 4 bytes asked for leaves as tailroom.
    /// let big = KVec::from_elem(0u8, 65536, GFP_KERNEL)?;
    /// assert_eq!(skb.put(&big), Err(EMSGSIZE));
    /// assert_eq!(skb.len(), 2);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn put(&mut self, data: &[u8]) -> Result {
        let skb = self.as_raw();
        // SAFETY: `skb` is valid and owned (type invariants).
        if unsafe { bindings::skb_is_nonlinear(skb) } {
            return Err(EINVAL);
        }
        // SAFETY: As above; `skb_unclone` needs an unshared skb (type invariants) and may
        // run in atomic context with `GFP_ATOMIC`.
        to_result(unsafe { bindings::skb_unclone(skb, bindings::GFP_ATOMIC) })?;
        // SAFETY: `skb` is valid and owned; `end`/`tail` are fields describing its buffer.
        let tailroom = unsafe { bindings::skb_tailroom(skb) };
        if data.len() > usize::try_from(tailroom).unwrap_or(0) {
            return Err(EMSGSIZE);
        }
        // SAFETY: The skb is linear, its buffer is not shared with a clone, and there is room
        // for `data.len()` bytes, which `skb_put` returns a pointer to.
        unsafe {
            let dst = bindings::skb_put(skb, data.len() as u32).cast::<u8>();
            core::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len());
        }
        Ok(())
    }

    /// The total length of the packet data (`skb->len`).
    #[inline]
    pub fn len(&self) -> u32 {
        // SAFETY: `len` is a field of the valid skb.
        unsafe { (*self.as_raw()).len }
    }

    /// `true` if the packet carries no data.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The length of the linear part (`skb_headlen`: `len - data_len`).
    #[inline]
    fn headlen(&self) -> usize {
        // SAFETY: `len` and `data_len` are fields of the valid skb; `data_len <= len`.
        unsafe { ((*self.as_raw()).len - (*self.as_raw()).data_len) as usize }
    }

    /// The linear part of the data, from `skb->data` (`skb_headlen` bytes).
    #[inline]
    pub fn linear_data(&self) -> &[u8] {
        // SAFETY: `data` points to `skb_headlen` readable bytes of the owned skb.
        unsafe { core::slice::from_raw_parts((*self.as_raw()).data, self.headlen()) }
    }

    /// Copies `out.len()` bytes at `offset` (from `skb->data`) into `out`, reading fragments as
    /// needed (`skb_header_pointer`). `None` if the packet is too short.
    #[inline]
    pub fn copy_bits(&self, offset: usize, out: &mut [u8]) -> Option<()> {
        // The common case, bytes in the linear part, as the inline `skb_header_pointer` does it.
        if let Some(src) = self.linear_data().get(offset..offset.checked_add(out.len())?) {
            out.copy_from_slice(src);
            return Some(());
        }
        let off = i32::try_from(offset).ok()?;
        let len = i32::try_from(out.len()).ok()?;
        // SAFETY: `out` is writable for `len` bytes; the skb is valid.
        let p = unsafe {
            bindings::skb_header_pointer(self.as_raw(), off, len, out.as_mut_ptr().cast())
        };
        if p.is_null() {
            return None;
        }
        if p.cast::<u8>() != out.as_mut_ptr() {
            // SAFETY: `skb_header_pointer` returned a pointer to `len` bytes in the linear area.
            unsafe { core::ptr::copy_nonoverlapping(p.cast::<u8>(), out.as_mut_ptr(), out.len()) };
        }
        Some(())
    }

    /// Reads a fixed-size header at `offset`, e.g. `skb.read::<[u8; 14]>(0)` for the
    /// Ethernet header.
    #[inline]
    pub fn read<const N: usize>(&self, offset: usize) -> Option<[u8; N]> {
        let mut buf = [0u8; N];
        self.copy_bits(offset, &mut buf)?;
        Some(buf)
    }

    /// Overwrites `bytes.len()` bytes at `offset` from `skb->data`, first making them the
    /// skb's own: a header shared with a clone is copied (`skb_cow_head`), and paged bytes are
    /// pulled into the linear part (`skb_ensure_writable`). A negative `offset` writes into
    /// the headroom, where a received frame's MAC header lies. Fails with `EINVAL` if the
    /// bytes would fall outside the buffer, and with `ENOMEM` if copying fails (atomic
    /// allocation).
    ///
    /// ```
    /// # use kernel::net::skb::SkBuff;
    /// let mut skb = SkBuff::alloc(16, 8)?;
    /// skb.put(&[0; 8])?;
    /// skb.write(2, &[7, 7])?;
    /// assert_eq!(skb.linear_data(), &[0, 0, 7, 7, 0, 0, 0, 0]);
    /// // Into the headroom, and not past it or past the data.
    /// skb.write(-2, &[5, 5])?;
    /// assert_eq!(skb.write(-17, &[1]), Err(EINVAL));
    /// assert_eq!(skb.write(7, &[1, 1]), Err(EINVAL));
    /// // A clone keeps what it saw.
    /// let clone = skb.try_clone()?;
    /// skb.write(0, &[9])?;
    /// assert_eq!(clone.linear_data()[0], 0);
    /// assert_eq!(skb.linear_data()[0], 9);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn write(&mut self, offset: isize, bytes: &[u8]) -> Result {
        let skb = self.as_raw();
        let end = offset.checked_add(isize::try_from(bytes.len()).map_err(|_| EINVAL)?).ok_or(EINVAL)?;
        if end > self.len() as isize {
            return Err(EINVAL);
        }
        // SAFETY: `cloned` is a bitfield of the valid skb, written only when it is cloned, which
        // needs the skb itself (ours).
        let cloned = unsafe { (*skb).cloned() } != 0;
        if offset >= 0 && end as usize <= self.headlen() && !cloned {
            // The common case, as C's transmit paths write headers in place: linear bytes of
            // a buffer no clone shares, which need no call to make them writable.
        } else if end > 0 {
            // SAFETY: The skb is owned and unshared (type invariants); the length is within
            // `len`, so the pull cannot fail for lack of data.
            to_result(unsafe { bindings::skb_ensure_writable(skb, end as u32) })?;
        }
        if offset < 0 {
            // SAFETY: As above; with no headroom asked for this only copies a header shared
            // with a clone.
            to_result(unsafe { bindings::skb_cow_head(skb, 0) })?;
            // SAFETY: The skb is valid.
            if offset.unsigned_abs() > unsafe { bindings::skb_headroom(skb) } as usize {
                return Err(EINVAL);
            }
        }
        // SAFETY: `[data + offset, data + end)` lies inside the head buffer (between `head`
        // and the end of the linear data, checked above), which the skb now owns alone.
        unsafe {
            let dst = (*skb).data.offset(offset);
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
        }
        Ok(())
    }

    /// The offset of the network header relative to `skb->data`.
    #[inline]
    pub fn network_offset(&self) -> isize {
        let skb = self.as_raw();
        // SAFETY: `head`, `data` and the headers group's `network_header` are fields of the
        // valid skb; `data` points into the buffer that starts at `head`.
        unsafe {
            let data_offset = (*skb).data.offset_from((*skb).head);
            self.headers().network_header as isize - data_offset
        }
    }

    /// The skb's `headers` group (`protocol`, the header offsets, ...), read in place, so the
    /// transmit path reads them as C's inline accessors do, with no call.
    #[inline]
    fn headers(&self) -> &bindings::sk_buff__bindgen_ty_4__bindgen_ty_1 {
        // SAFETY: The skb is valid for as long as `self` is borrowed. Both members of the
        // `struct_group(headers, ...)` union are the same plain fields, so reading the
        // anonymous one is reading the group.
        unsafe { (*self.as_raw()).__bindgen_anon_4.__bindgen_anon_1.as_ref() }
    }

    /// The offset of the MAC header relative to `skb->data` (negative on receive, where
    /// `data` points past it); `None` if it was never set.
    #[inline]
    pub fn mac_offset(&self) -> Option<isize> {
        // SAFETY: The skb is valid.
        unsafe {
            if bindings::skb_mac_header_was_set(self.as_raw()) {
                Some(bindings::skb_mac_offset(self.as_raw()) as isize)
            } else {
                None
            }
        }
    }

    /// The Ethernet header of a frame, read at the MAC header (or at `data` if it is unset).
    #[inline]
    pub fn eth_header(&self) -> Option<[u8; ETH_HLEN]> {
        let off = self.mac_offset().unwrap_or(0);
        if off >= 0 {
            return self.read(off as usize);
        }
        // On receive the MAC header sits just before `data`, inside the linear area.
        let mut buf = [0u8; ETH_HLEN];
        // SAFETY: The MAC header was set and lies in the skb's head buffer, `-off` bytes before
        // `data`; `ETH_HLEN` bytes are present for an Ethernet frame.
        unsafe {
            let p = (*self.as_raw()).data.offset(off);
            if (-off) < ETH_HLEN as isize {
                return None;
            }
            core::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), ETH_HLEN);
        }
        Some(buf)
    }

    /// The protocol (`skb->protocol`), host byte order.
    #[inline]
    pub fn protocol(&self) -> u16 {
        u16::from_be(self.headers().protocol)
    }

    /// Sets the protocol (`skb->protocol`), host byte order.
    #[inline]
    pub fn set_protocol(&mut self, protocol: u16) {
        // SAFETY: The skb is owned and unshared.
        unsafe { bindings::skb_set_protocol(self.as_raw(), protocol.to_be()) };
    }

    /// The packet type (`PACKET_HOST`, `PACKET_BROADCAST`, ...).
    #[inline]
    pub fn pkt_type(&self) -> u8 {
        // SAFETY: The skb is valid.
        unsafe { bindings::skb_pkt_type(self.as_raw()) }
    }

    // No `dev()`: `skb->dev` holds no reference, and an `SkBuff` can be stored past the
    // callback that handed it over, after its device is freed. Callbacks pass the device
    // they run for instead (the rx_handler's own data, the transmitting device).

    /// Moves the skb to `dev` (`skb->dev = dev`), as before transmit on a lower device or
    /// when an rx_handler hands a frame to its upper device.
    #[inline]
    pub fn set_dev(&mut self, dev: &Device) {
        // SAFETY: The skb is owned and unshared, so its `dev` field is ours to write; the
        // caller keeps `dev` alive while the skb is in flight (the core drains skbs from a
        // device before freeing it).
        unsafe { *dev_field(self.as_raw()) = dev.as_raw() };
    }

    /// The transmit queue index (`skb_get_queue_mapping`).
    #[inline]
    pub fn queue_mapping(&self) -> u16 {
        // SAFETY: `queue_mapping` is a field of the valid skb.
        unsafe { (*self.as_raw()).queue_mapping }
    }

    /// Sets the transmit queue index (`skb_set_queue_mapping`).
    #[inline]
    pub fn set_queue_mapping(&mut self, queue: u16) {
        // SAFETY: The skb is owned and unshared; `queue_mapping` is one of its fields.
        unsafe { (*self.as_raw()).queue_mapping = queue };
    }

    /// Saves the current transmit queue index in the qdisc control block
    /// (`qdisc_skb_cb(skb)->slave_dev_queue_mapping`), as a stacked driver's
    /// `ndo_select_queue` does before the queue discipline may rewrite the index.
    ///
    /// Takes `&self`: the control block belongs to whoever holds the skb, `SkBuff` is not
    /// `Sync`, and no reference into the control block is ever handed out, so the write
    /// cannot race or alias.
    #[inline]
    pub fn save_queue_mapping(&self) {
        let queue = self.queue_mapping();
        // SAFETY: The skb is valid and not shared; see above for why `&self` suffices. The
        // write goes through a raw pointer to the control block, never a reference.
        unsafe { (*qdisc_cb(self.as_raw())).__bindgen_anon_1.slave_dev_queue_mapping = queue };
    }

    /// Sets the priority (`skb->priority`).
    #[inline]
    pub fn set_priority(&mut self, priority: u32) {
        // SAFETY: The skb is owned and unshared.
        unsafe { bindings::skb_set_priority(self.as_raw(), priority) };
    }

    /// Marks the current data start as the MAC header and the network header as following
    /// an Ethernet header, for a frame built with [`SkBuff::alloc`].
    pub fn reset_headers(&mut self) {
        // SAFETY: The skb is owned and unshared.
        unsafe {
            bindings::skb_reset_mac_header(self.as_raw());
            bindings::skb_set_network_header(self.as_raw(), ETH_HLEN as i32);
        }
    }

    /// The flow hash of the packet (`skb_get_hash`), computing it if needed. Like
    /// [`SkBuff::flow_keys`] and [`SkBuff::dissect`], it dissects in the namespace of the
    /// skb's device, else of its socket, else in `init_net` (a detached skb).
    pub fn hash(&mut self) -> u32 {
        // SAFETY: The skb is owned and unshared; the hash is cached in it.
        unsafe { bindings::skb_get_hash(self.as_raw()) }
    }

    /// Dissects the packet's flow (`skb_flow_dissect_flow_keys`); `None` if it has none.
    pub fn flow_keys(&self) -> Option<FlowKeys> {
        let mut keys = MaybeUninit::<bindings::flow_keys>::zeroed();
        // SAFETY: The skb is valid; `keys` is a zeroed, writable `flow_keys`.
        let ok = unsafe {
            bindings::skb_flow_dissect_flow_keys(self.as_raw(), keys.as_mut_ptr(), 0)
        };
        // SAFETY: Zeroed and then written by the dissector.
        ok.then(|| unsafe { FlowKeys::from_raw(keys.assume_init_ref()) })
    }

    /// Dissects the packet with `dissector` from its network header, with `skb->protocol`
    /// (`__skb_flow_dissect` over `skb->data`, as bonding's encap hash policies call it;
    /// tunnels are followed); `None` if the dissector fails.
    pub fn dissect(&self, dissector: &FlowDissector) -> Option<FlowKeys> {
        let mut keys = MaybeUninit::<bindings::flow_keys>::zeroed();
        let skb = self.as_raw();
        // SAFETY: The skb is valid and its linear data is `skb_headlen` bytes from `data`;
        // `keys` is a zeroed `flow_keys`, the container `dissector`'s offsets are for. The
        // namespace is the skb's device's or socket's, or init_net for a detached skb (a NULL
        // one would make the dissector warn for that skb).
        let ok = unsafe {
            bindings::__skb_flow_dissect(
                bindings::skb_dissect_net(skb),
                skb,
                core::ptr::from_ref(&dissector.0).cast_mut(),
                keys.as_mut_ptr().cast(),
                (*skb).data.cast(),
                self.headers().protocol,
                self.network_offset() as i32,
                bindings::skb_headlen(skb) as i32,
                0,
            )
        };
        // SAFETY: Zeroed and then written by the dissector.
        ok.then(|| unsafe { FlowKeys::from_raw(keys.assume_init_ref()) })
    }

    /// Tags the packet for VLAN `vid` of `proto`, carried out of band for the device to insert
    /// (`__vlan_hwaccel_put_tag`).
    #[inline]
    pub fn put_vlan_tag(&mut self, proto: super::device::VlanProto, vid: u16) {
        // SAFETY: The skb is owned and unshared; the helper sets its `vlan_proto` and
        // `vlan_tci`.
        unsafe { bindings::__vlan_hwaccel_put_tag(self.as_raw(), proto.0, vid) };
    }

    /// Inserts a VLAN tag of `proto` into the frame itself, after its MAC addresses
    /// (`vlan_insert_tag_set_proto`): the inner tags of a stack of VLANs, whose outer tag goes
    /// out of band ([`SkBuff::put_vlan_tag`]). `skb->data` must be at the Ethernet header, as
    /// in a frame built for sending. The skb is consumed: it comes back tagged, or is freed
    /// (`EINVAL` if the linear part is shorter than an Ethernet header, `ENOMEM` if it
    /// could not be made room for).
    ///
    /// ```
    /// # use kernel::net::{device::VlanProto, skb::SkBuff};
    /// let mut skb = SkBuff::alloc(32, 16)?;
    /// skb.put(&[1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0x08, 0x06, 9, 9])?;
    /// let skb = skb.insert_vlan_tag(VlanProto::CTAG, 7)?;
    /// assert_eq!(&skb.linear_data()[12..18], &[0x81, 0x00, 0, 7, 0x08, 0x06]);
    /// assert_eq!(skb.len(), 20);
    /// let short = SkBuff::alloc(32, 4)?;
    /// assert!(short.insert_vlan_tag(VlanProto::CTAG, 7).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn insert_vlan_tag(self, proto: super::device::VlanProto, vid: u16) -> Result<SkBuff> {
        if self.headlen() < ETH_HLEN {
            return Err(EINVAL);
        }
        // SAFETY: We give up our reference to a valid, unshared skb whose linear part holds an
        // Ethernet header at `data`; the helper returns it tagged, or frees it and returns NULL.
        let skb = unsafe { bindings::vlan_insert_tag_set_proto(self.into_raw(), proto.0, vid) };
        // INVARIANT: A returned skb is the one we gave, still ours and unshared.
        NonNull::new(skb).map(|ptr| SkBuff { ptr }).ok_or(ENOMEM)
    }

    /// The VLAN tag carried out of band (`skb_vlan_tag_get`), if one is present.
    #[inline]
    pub fn vlan_tci(&self) -> Option<u16> {
        // SAFETY: The skb is valid.
        unsafe {
            bindings::skb_vlan_tag_present(self.as_raw())
                .then(|| bindings::skb_vlan_tag_get(self.as_raw()))
        }
    }

    /// The packet's hash (`skb->hash`) if it is a hash over the transport ports
    /// (`skb->l4_hash`); it is not computed here.
    #[inline]
    pub fn l4_hash(&self) -> Option<u32> {
        // SAFETY: The skb is valid.
        unsafe {
            bindings::skb_l4_hash(self.as_raw()).then(|| bindings::skb_raw_hash(self.as_raw()))
        }
    }

    /// Clones the skb (`skb_clone`): a new skb header sharing the data, for sending the same
    /// frame on several devices. Atomic allocation.
    #[inline]
    pub fn try_clone(&self) -> Result<SkBuff> {
        // SAFETY: The skb is valid; `skb_clone` returns a new, unshared skb header or NULL.
        let p = unsafe { bindings::skb_clone(self.as_raw(), bindings::GFP_ATOMIC) };
        // INVARIANT: A fresh clone is owned by us and not shared.
        NonNull::new(p).map(|ptr| SkBuff { ptr }).ok_or(ENOMEM)
    }

    /// Transmits the skb on `dev` (`skb->dev = dev; dev_queue_xmit()`), consuming it.
    ///
    /// Returns the driver's or qdisc's verdict; the skb is consumed either way.
    #[inline]
    pub fn transmit(mut self, dev: &Device) -> Result {
        self.set_dev(dev);
        // SAFETY: We give up our reference; `__dev_queue_xmit` consumes the skb in every case.
        // This is `dev_queue_xmit()` (a C inline) without the helper call in between.
        let ret = unsafe { bindings::__dev_queue_xmit(self.into_raw(), core::ptr::null_mut()) };
        xmit_result(ret)
    }

    /// Transmits the skb on `lower`, a lower device of the stacked device the skb was handed
    /// to, on the transmit queue its sender chose (saved by [`SkBuff::save_queue_mapping`]
    /// in `ndo_select_queue`), as bonding's `bond_dev_queue_xmit()` does. Consumes the skb.
    ///
    /// Returns the driver's or qdisc's verdict; the skb is consumed either way.
    #[inline]
    pub fn transmit_to_lower(mut self, lower: &Device) -> Result {
        self.set_dev(lower);
        let skb = self.into_raw();
        // SAFETY: We give up our reference to the skb, which is valid and unshared: setting
        // its queue (`skb_set_queue_mapping()` from the qdisc control block, which `cb` holds,
        // 8-byte aligned) touches only what we own, and `dev_queue_xmit()` consumes it in
        // every case.
        let ret = unsafe {
            let cb = qdisc_cb(skb);
            (*skb).queue_mapping = (*cb).__bindgen_anon_1.slave_dev_queue_mapping;
            bindings::__dev_queue_xmit(skb, core::ptr::null_mut())
        };
        xmit_result(ret)
    }

    /// Frees the skb as successfully used (`consume_skb`), not counted as a drop.
    #[inline]
    pub fn consume(self) {
        // SAFETY: We give up our reference.
        unsafe { bindings::consume_skb(self.into_raw()) };
    }
}

/// Folds an IPv6 address to 32 bits as `ipv6_addr_hash()` does (XOR of its four words).
fn fold_ipv6(a: &bindings::in6_addr) -> u32 {
    // SAFETY: Every member of the `in6_u` union is plain bytes; `u6_addr32` reads all 16.
    let w = unsafe { a.in6_u.u6_addr32 };
    w[0] ^ w[1] ^ w[2] ^ w[3]
}

impl Drop for SkBuff {
    /// Frees the skb as dropped (`kfree_skb`).
    #[inline]
    fn drop(&mut self) {
        // SAFETY: We own a reference, given up here.
        unsafe { bindings::kfree_skb(self.as_raw()) };
    }
}

/// `&skb->dev`, a member of the anonymous unions at the head of `struct sk_buff`.
///
/// # Safety
///
/// `skb` points to a valid skb.
#[inline]
pub(crate) unsafe fn dev_field(skb: *mut bindings::sk_buff) -> *mut *mut bindings::net_device {
    // SAFETY: `skb` is valid (the caller's promise); `addr_of_mut!` makes no reference.
    unsafe { core::ptr::addr_of_mut!((*skb).__bindgen_anon_1.__bindgen_anon_1.__bindgen_anon_1.dev) }
}

/// `qdisc_skb_cb(skb)`: the queue discipline's view of the control block, which `cb`
/// holds, 8-byte aligned.
///
/// # Safety
///
/// `skb` points to a valid skb.
#[inline]
unsafe fn qdisc_cb(skb: *mut bindings::sk_buff) -> *mut bindings::qdisc_skb_cb {
    // SAFETY: `skb` is valid (the caller's promise); `addr_of_mut!` makes no reference.
    unsafe { core::ptr::addr_of_mut!((*skb).cb).cast() }
}

/// `dev_queue_xmit()`'s verdict as a `Result`.
#[inline]
fn xmit_result(ret: crate::ffi::c_int) -> Result {
    if ret == 0 {
        Ok(())
    } else if ret > 0 {
        // NET_XMIT_DROP / NET_XMIT_CN: the frame was dropped or congestion was signalled.
        Err(ENOBUFS)
    } else {
        Err(crate::error::Error::from_errno(ret))
    }
}
