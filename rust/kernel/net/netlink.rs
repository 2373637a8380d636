// SPDX-License-Identifier: GPL-2.0

//! Netlink attributes: validation policies, parsed attribute tables, message filling, and
//! extended acknowledgements.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h).
//!
//! The core validates attributes against a [`Policy`] table before a driver sees them, but the
//! accessors here still check every length, so a driver cannot read past an attribute whatever
//! the policy says.

use crate::{bindings, error::code::*, error::Result, str::CStr};
use core::{marker::PhantomData, mem::MaybeUninit, ptr};

/// An extended acknowledgement: where a netlink request's error message goes.
///
/// # Invariants
///
/// Wraps a valid `struct netlink_ext_ack` that the caller of the callback owns for its
/// duration.
#[repr(transparent)]
pub struct ExtAck(bindings::netlink_ext_ack);

impl ExtAck {
    /// # Safety
    ///
    /// `ptr` must be NULL or valid and exclusively ours for `'a`.
    pub(crate) unsafe fn from_raw_opt<'a>(ptr: *mut bindings::netlink_ext_ack) -> Option<&'a mut Self> {
        // SAFETY: Guaranteed by the caller; `ExtAck` is transparent.
        unsafe { ptr.cast::<Self>().as_mut() }
    }

    pub(crate) fn as_raw_opt(this: Option<&mut Self>) -> *mut bindings::netlink_ext_ack {
        this.map_or(ptr::null_mut(), |e| ptr::from_mut(e).cast())
    }

    /// Sets the message user space prints with the error (`NL_SET_ERR_MSG`).
    pub fn set_message(&mut self, msg: &'static CStr) {
        self.0._msg = msg.as_char_ptr();
    }

    /// The message set so far, if any.
    pub fn message(&self) -> Option<&CStr> {
        if self.0._msg.is_null() {
            None
        } else {
            // SAFETY: `_msg` is NULL or a NUL-terminated string that outlives the request.
            Some(unsafe { CStr::from_char_ptr(self.0._msg) })
        }
    }
}

/// Sets `extack`'s message if there is an `extack`.
pub fn set_err_msg(extack: Option<&mut ExtAck>, msg: &'static CStr) {
    if let Some(e) = extack {
        e.set_message(msg);
    }
}

/// One entry of an attribute validation policy (`struct nla_policy`).
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Policy(bindings::nla_policy);

// SAFETY: A policy is immutable data (its pointers, if any, point to other immutable policies).
unsafe impl Sync for Policy {}

impl Policy {
    const fn typed(ty: u32) -> Self {
        // SAFETY: All-zero is a valid `nla_policy` ("unspecified, no checks").
        let mut p: bindings::nla_policy = unsafe { MaybeUninit::zeroed().assume_init() };
        p.type_ = ty as u8;
        Self(p)
    }

    /// No validation (attribute number unused).
    pub const fn unspec() -> Self {
        Self::typed(0)
    }
    /// An 8-bit integer.
    pub const fn u8() -> Self {
        Self::typed(bindings::NLA_U8)
    }
    /// A 16-bit integer.
    pub const fn u16() -> Self {
        Self::typed(bindings::NLA_U16)
    }
    /// A 32-bit integer.
    pub const fn u32() -> Self {
        Self::typed(bindings::NLA_U32)
    }
    /// A 64-bit integer.
    pub const fn u64() -> Self {
        Self::typed(bindings::NLA_U64)
    }
    /// A 32-bit signed integer.
    pub const fn s32() -> Self {
        Self::typed(bindings::NLA_S32)
    }
    /// A flag (no payload).
    pub const fn flag() -> Self {
        Self::typed(bindings::NLA_FLAG)
    }
    /// Nested attributes.
    pub const fn nested() -> Self {
        Self::typed(bindings::NLA_NESTED)
    }
    /// A NUL-terminated string of at most `max_len` characters.
    pub const fn string(max_len: u16) -> Self {
        let mut p = Self::typed(bindings::NLA_NUL_STRING);
        p.0.len = max_len;
        p
    }
    /// Binary data of at most `max_len` bytes.
    pub const fn binary(max_len: u16) -> Self {
        let mut p = Self::typed(bindings::NLA_BINARY);
        p.0.len = max_len;
        p
    }
    /// A `u32` within `range` (`NLA_POLICY_FULL_RANGE(NLA_U32, range)`).
    pub const fn u32_range(range: &'static Range) -> Self {
        let mut p = Self::typed(bindings::NLA_U32);
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR as u8;
        p.0.__bindgen_anon_1.range = ptr::from_ref(&range.0);
        p
    }

    /// Binary data of exactly `len` bytes (`NLA_POLICY_EXACT_LEN`).
    pub const fn exact_len(len: u16) -> Self {
        let mut p = Self::typed(bindings::NLA_BINARY);
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE as u8;
        p.0.len = len;
        p.0.__bindgen_anon_1.__bindgen_anon_1.min = len as i16;
        p.0.__bindgen_anon_1.__bindgen_anon_1.max = len as i16;
        p
    }
}

/// A range an integer attribute must be within (`struct netlink_range_validation`).
#[repr(transparent)]
pub struct Range(bindings::netlink_range_validation);

// SAFETY: Immutable plain data.
unsafe impl Sync for Range {}

impl Range {
    /// `min..=max`.
    pub const fn new(min: u64, max: u64) -> Self {
        Self(bindings::netlink_range_validation { min, max })
    }
}

/// A table of attributes, indexed by attribute type, as parsed by the core (`struct nlattr
/// *tb[]`).
///
/// # Invariants
///
/// `tb` is NULL (no table) or points to `max + 1` entries, each NULL or a valid attribute, all
/// valid for `'a`.
pub struct Attrs<'a> {
    tb: *const *mut bindings::nlattr,
    max: usize,
    _p: PhantomData<&'a bindings::nlattr>,
}

impl<'a> Attrs<'a> {
    /// # Safety
    ///
    /// `tb` must be NULL or point to `max + 1` entries, each NULL or a valid attribute, valid
    /// for `'a`.
    pub(crate) unsafe fn from_raw(tb: *const *mut bindings::nlattr, max: usize) -> Self {
        Self {
            tb,
            max,
            _p: PhantomData,
        }
    }

    /// An empty table.
    pub fn empty() -> Self {
        Self {
            tb: ptr::null(),
            max: 0,
            _p: PhantomData,
        }
    }

    /// The attribute of type `ty`, if present.
    pub fn get(&self, ty: u32) -> Option<Attr<'a>> {
        let i = ty as usize;
        if self.tb.is_null() || i > self.max {
            return None;
        }
        // SAFETY: `i <= max`, within the table (type invariants).
        let a = unsafe { *self.tb.add(i) };
        // SAFETY: Entries are NULL or valid attributes for `'a`.
        unsafe { a.as_ref() }.map(|a| Attr(a))
    }

    /// `true` if the attribute of type `ty` is present.
    pub fn has(&self, ty: u32) -> bool {
        self.get(ty).is_some()
    }
}

/// One attribute.
#[derive(Clone, Copy)]
pub struct Attr<'a>(&'a bindings::nlattr);

impl<'a> Attr<'a> {
    /// The attribute type, without the nested/byte-order flags.
    pub fn kind(&self) -> u16 {
        self.0.nla_type & (bindings::NLA_TYPE_MASK as u16)
    }

    /// The payload.
    pub fn data(&self) -> &'a [u8] {
        let hdr = bindings::NLA_HDRLEN;
        let len = usize::from(self.0.nla_len).saturating_sub(hdr);
        // SAFETY: A valid attribute is followed by `nla_len - NLA_HDRLEN` payload bytes.
        unsafe { core::slice::from_raw_parts(ptr::from_ref(self.0).cast::<u8>().add(hdr), len) }
    }

    fn fixed<const N: usize>(&self) -> Result<[u8; N]> {
        self.data()
            .get(..N)
            .and_then(|b| b.try_into().ok())
            .ok_or(EINVAL)
    }

    /// The payload as a `u8`.
    pub fn u8(&self) -> Result<u8> {
        Ok(self.fixed::<1>()?[0])
    }
    /// The payload as a host-order `u16`.
    pub fn u16(&self) -> Result<u16> {
        Ok(u16::from_ne_bytes(self.fixed()?))
    }
    /// The payload as a host-order `u32`.
    pub fn u32(&self) -> Result<u32> {
        Ok(u32::from_ne_bytes(self.fixed()?))
    }
    /// The payload as a host-order `u64`.
    pub fn u64(&self) -> Result<u64> {
        Ok(u64::from_ne_bytes(self.fixed()?))
    }
    /// The payload as a network-order `u32` (`__be32`), returned as the raw big-endian value.
    pub fn be32(&self) -> Result<[u8; 4]> {
        self.fixed()
    }
    /// The payload up to its first NUL (a netlink string).
    pub fn str_bytes(&self) -> &'a [u8] {
        let d = self.data();
        &d[..d.iter().position(|&b| b == 0).unwrap_or(d.len())]
    }

    /// The nested attributes of this attribute, in order.
    pub fn nested(&self) -> NestedIter<'a> {
        NestedIter { rest: self.data() }
    }
}

/// Iterates over the attributes nested in an attribute.
pub struct NestedIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for NestedIter<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        let hdr = bindings::NLA_HDRLEN;
        if self.rest.len() < hdr {
            return None;
        }
        let len = usize::from(u16::from_ne_bytes([self.rest[0], self.rest[1]]));
        if len < hdr || len > self.rest.len() {
            return None;
        }
        // SAFETY: `rest` holds a complete attribute of `len` bytes at its start; attributes
        // are 4-byte aligned in a netlink message, as `nlattr` requires.
        let a = unsafe { &*self.rest.as_ptr().cast::<bindings::nlattr>() };
        let aligned = (len + 3) & !3;
        self.rest = self.rest.get(aligned..).unwrap_or(&[]);
        Some(Attr(a))
    }
}

/// A netlink message being filled (`fill_info`, `fill_slave_info`).
///
/// # Invariants
///
/// `skb` is a valid message skb that the caller of the callback lets us append to.
pub struct Message<'a> {
    skb: *mut bindings::sk_buff,
    _p: PhantomData<&'a mut bindings::sk_buff>,
}

impl Message<'_> {
    /// # Safety
    ///
    /// `skb` must be a netlink message skb we may append to for the lifetime.
    pub(crate) unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Self {
        Self {
            skb,
            _p: PhantomData,
        }
    }

    /// The message length so far.
    fn len(&self) -> u32 {
        // SAFETY: The message skb is valid (type invariants).
        unsafe { (*self.skb).len }
    }

    /// Appends an attribute with payload `data` (`nla_put`); `EMSGSIZE` when full.
    pub fn put(&mut self, ty: u16, data: &[u8]) -> Result {
        let len = i32::try_from(data.len()).map_err(|_| EMSGSIZE)?;
        // SAFETY: The message is valid (type invariants); `data` is readable for `len` bytes.
        let ret = unsafe { bindings::nla_put(self.skb, ty.into(), len, data.as_ptr().cast()) };
        if ret == 0 {
            Ok(())
        } else {
            Err(EMSGSIZE)
        }
    }

    /// Appends a `u8` attribute.
    pub fn put_u8(&mut self, ty: u16, v: u8) -> Result {
        self.put(ty, &[v])
    }
    /// Appends a `u16` attribute.
    pub fn put_u16(&mut self, ty: u16, v: u16) -> Result {
        self.put(ty, &v.to_ne_bytes())
    }
    /// Appends a `u32` attribute.
    pub fn put_u32(&mut self, ty: u16, v: u32) -> Result {
        self.put(ty, &v.to_ne_bytes())
    }
    /// Appends a `u64` attribute, padded with `pad` attributes for alignment.
    pub fn put_u64(&mut self, ty: u16, v: u64, pad: u16) -> Result {
        // SAFETY: The message is valid (type invariants).
        let ret = unsafe { bindings::nla_put_u64_64bit(self.skb, ty.into(), v, pad.into()) };
        if ret == 0 {
            Ok(())
        } else {
            Err(EMSGSIZE)
        }
    }
    /// Appends a flag attribute (no payload).
    pub fn put_flag(&mut self, ty: u16) -> Result {
        self.put(ty, &[])
    }
    /// Appends a string attribute, NUL included.
    pub fn put_string(&mut self, ty: u16, s: &CStr) -> Result {
        self.put(ty, s.as_bytes_with_nul())
    }

    /// Appends a nested attribute (with `NLA_F_NESTED`) whose content `fill` writes; the nest
    /// is cancelled if `fill` fails or writes nothing and `keep_empty` is false.
    pub fn nest(&mut self, ty: u16, keep_empty: bool, fill: impl FnOnce(&mut Self) -> Result) -> Result {
        self.nest_with(ty | bindings::NLA_F_NESTED as u16, keep_empty, fill)
    }

    /// As [`Message::nest`], without the `NLA_F_NESTED` flag (`nla_nest_start_noflag`), for
    /// attributes older user space expects that way.
    pub fn nest_noflag(&mut self, ty: u16, keep_empty: bool, fill: impl FnOnce(&mut Self) -> Result) -> Result {
        self.nest_with(ty, keep_empty, fill)
    }

    fn nest_with(&mut self, ty: u16, keep_empty: bool, fill: impl FnOnce(&mut Self) -> Result) -> Result {
        // SAFETY: The message is valid (type invariants).
        let start = unsafe { bindings::nla_nest_start_noflag(self.skb, ty.into()) };
        if start.is_null() {
            return Err(EMSGSIZE);
        }
        let before = self.len();
        match fill(self) {
            Ok(()) if !keep_empty && self.len() == before => {
                // SAFETY: As below.
                unsafe { bindings::nla_nest_cancel(self.skb, start) };
                Ok(())
            }
            Ok(()) => {
                // SAFETY: `start` was returned by `nla_nest_start` on this message.
                unsafe { bindings::nla_nest_end(self.skb, start) };
                Ok(())
            }
            Err(e) => {
                // SAFETY: As above.
                unsafe { bindings::nla_nest_cancel(self.skb, start) };
                Err(e)
            }
        }
    }
}

/// The space an attribute with a `payload`-byte payload takes (`nla_total_size`).
pub const fn total_size(payload: usize) -> usize {
    let hdr = bindings::NLA_HDRLEN;
    (hdr + payload + 3) & !3
}
