// SPDX-License-Identifier: GPL-2.0

//! Receive handlers on lower devices (`netdev_rx_handler_register`).
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//!
//! An rx_handler sees every frame a device receives, before the protocol layers do. Upper
//! devices (bonding, team, bridge) use one per lower device to claim frames. A device has at
//! most one rx_handler.

use super::{device::Device, rtnl::Rtnl, skb::SkBuff};
use crate::{
    bindings,
    error::{to_result, Result},
    sync::Arc,
    types::ARef,
};

/// What an rx_handler does with a frame.
pub enum RxResult {
    /// The handler took the frame (it was dropped, queued or sent on): stop processing.
    Consumed,
    /// The frame moved to another device (`skb.set_dev()`): process it again there.
    Another(SkBuff),
    /// Deliver only to protocol handlers bound to this exact device (inactive bond slaves).
    Exact(SkBuff),
    /// Process the frame normally, as if there were no handler.
    Pass(SkBuff),
}

/// A receive handler with its per-device data (`self`).
pub trait RxHandler: Send + Sync + 'static {
    /// Handles one received frame; runs in softirq context under RCU. The frame arrived on
    /// the device the handler is registered on.
    fn handle(&self, skb: SkBuff) -> RxResult;
}

/// An rx_handler attached to a device.
///
/// # Invariants
///
/// While `registered`, `dev`'s rx_handler is `handler::<T>` with `data`'s pointer as its data.
pub struct Registration<T: RxHandler> {
    dev: ARef<Device>,
    data: Arc<T>,
    registered: bool,
}

impl<T: RxHandler> Registration<T> {
    /// Attaches `data` as `dev`'s rx_handler. Fails with `EBUSY` if the device has one.
    pub fn new(_rtnl: &Rtnl, dev: &Device, data: Arc<T>) -> Result<Self> {
        // SAFETY: RTNL is held; the data pointer stays valid until unregistration completes
        // (we keep the `Arc` until after `netdev_rx_handler_unregister`, which waits for
        // running handlers).
        to_result(unsafe {
            bindings::netdev_rx_handler_register(
                dev.as_raw(),
                Some(handler::<T>),
                core::ptr::from_ref::<T>(&data).cast_mut().cast(),
            )
        })?;
        // INVARIANT: Registered just above.
        Ok(Self {
            dev: dev.into(),
            data,
            registered: true,
        })
    }

    /// The handler's data.
    pub fn data(&self) -> &Arc<T> {
        &self.data
    }

    /// The device the handler is attached to.
    pub fn device(&self) -> &Device {
        &self.dev
    }

    /// Detaches the handler; returns once no CPU runs it any more.
    pub fn unregister(mut self, rtnl: &Rtnl) {
        self.detach(rtnl);
    }

    fn detach(&mut self, _rtnl: &Rtnl) {
        if self.registered {
            // SAFETY: RTNL is held and the handler is ours (type invariants). The function
            // calls `synchronize_net()`, so no handler still uses `data` when it returns.
            unsafe { bindings::netdev_rx_handler_unregister(self.dev.as_raw()) };
            self.registered = false;
        }
    }
}

impl<T: RxHandler> Drop for Registration<T> {
    /// Detaches the handler, taking RTNL: drop it without RTNL held, or call
    /// [`Registration::unregister`] first.
    fn drop(&mut self) {
        if self.registered {
            let rtnl = super::RtnlGuard::lock();
            self.detach(&rtnl);
        }
    }
}

extern "C" fn handler<T: RxHandler>(pskb: *mut *mut bindings::sk_buff) -> bindings::rx_handler_result_t {
    // SAFETY: The core passes a valid skb it owns, and lets the handler replace it.
    let skb = unsafe { share_check(*pskb) };
    if skb.is_null() {
        return bindings::rx_handler_result_RX_HANDLER_CONSUMED;
    }
    // SAFETY: `skb->dev` is the device the handler is registered on; its `rx_handler_data` is
    // the `Arc<T>` pointer the registration keeps alive until after unregistering, and the
    // core runs handlers inside an RCU read-side section. `skb_share_check` returned an
    // unshared skb, so its `dev` field is ours to read.
    let data = unsafe {
        let dev = *super::skb::dev_field(skb);
        &*(*dev).rx_handler_data.cast::<T>()
    };
    // SAFETY: `skb_share_check` returned an unshared skb we own.
    let skb = unsafe { SkBuff::from_raw(skb) };
    let (result, skb) = match data.handle(skb) {
        RxResult::Consumed => (bindings::rx_handler_result_RX_HANDLER_CONSUMED, None),
        RxResult::Another(s) => (bindings::rx_handler_result_RX_HANDLER_ANOTHER, Some(s)),
        RxResult::Exact(s) => (bindings::rx_handler_result_RX_HANDLER_EXACT, Some(s)),
        RxResult::Pass(s) => (bindings::rx_handler_result_RX_HANDLER_PASS, Some(s)),
    };
    if let Some(s) = skb {
        // SAFETY: The core takes the skb back through `*pskb`.
        unsafe { *pskb = s.into_raw() };
    }
    result
}

/// `skb_share_check(skb, GFP_ATOMIC)` with its common case inline, as the C inline has it: an
/// skb nobody else holds (`skb->users` is 1) is returned as it is; a shared one is replaced by
/// a clone (null if that fails, the original freed either way).
///
/// # Safety
///
/// `skb` is a valid skb the caller owns a reference to.
#[inline(always)]
unsafe fn share_check(skb: *mut bindings::sk_buff) -> *mut bindings::sk_buff {
    // SAFETY: `skb` is valid (the caller's promise); `skb_shared()` is `refcount_read()`, a
    // `READ_ONCE` of the counter, which a volatile read is.
    let users = unsafe { core::ptr::read_volatile(core::ptr::addr_of!((*skb).users.refs.counter)) };
    if users == 1 {
        return skb;
    }
    // SAFETY: As above; the helper consumes our reference and returns one to a clone, or null.
    unsafe { bindings::skb_share_check(skb, bindings::GFP_ATOMIC) }
}
