// SPDX-License-Identifier: GPL-2.0

//! The routing netlink mutex (RTNL), which serialises every change to network devices.
//!
//! C header: [`include/linux/rtnetlink.h`](srctree/include/linux/rtnetlink.h).
//!
//! Functions that must run under RTNL take a `&Rtnl`: a proof, with no runtime cost, that the
//! caller holds the lock. [`RtnlGuard`] takes the lock and hands out that proof; callbacks the
//! networking core invokes with RTNL held (most `ndo_*` operations, netdevice notifiers,
//! `rtnl_link_ops`) receive it from the abstractions that wrap them.

use crate::bindings;
use core::{marker::PhantomData, ops::Deref};

/// Proof that the current thread holds RTNL.
///
/// # Invariants
///
/// While a `&Rtnl` exists, the thread that holds it holds the RTNL mutex. `Rtnl` is neither
/// `Send` nor `Sync`, and references to it cannot outlive the scope that created them.
pub struct Rtnl {
    _not_send: PhantomData<*mut ()>,
}

/// The one `Rtnl` value; references to it are handed out only where RTNL is held.
static RTNL: RtnlToken = RtnlToken(Rtnl {
    _not_send: PhantomData,
});

struct RtnlToken(Rtnl);
// SAFETY: `Rtnl` has no data; sharing a reference only matters through the type invariants,
// which `Rtnl::assume_held` places on its callers.
unsafe impl Sync for RtnlToken {}

impl Rtnl {
    /// Returns the proof that RTNL is held.
    ///
    /// # Safety
    ///
    /// The current thread must hold RTNL for the whole lifetime `'a`.
    pub unsafe fn assume_held<'a>() -> &'a Rtnl {
        // INVARIANT: The caller guarantees RTNL is held for `'a`.
        &RTNL.0
    }

    /// Takes RTNL for a sysfs write, or asks for the system call to be restarted if RTNL is
    /// busy (`rtnl_trylock()` then `restart_syscall()`, as bonding's sysfs stores do: waiting
    /// could deadlock against a device removal that waits for the sysfs file).
    pub fn lock_or_restart() -> crate::error::Result<RtnlGuard> {
        Self::try_lock().ok_or_else(|| {
            // SAFETY: `restart_syscall` only flags the current task for a restart.
            crate::error::Error::from_errno(unsafe { bindings::restart_syscall() })
        })
    }

    /// Tries to take RTNL without sleeping; `None` if someone else holds it.
    ///
    /// bonding's monitors use this: they run from a workqueue and must not wait for RTNL, since
    /// the code that cancels them may hold it.
    pub fn try_lock() -> Option<RtnlGuard> {
        // SAFETY: `rtnl_trylock` has no preconditions.
        if unsafe { bindings::rtnl_trylock() } != 0 {
            // INVARIANT: The lock was taken just above.
            Some(RtnlGuard {
                _not_send: PhantomData,
            })
        } else {
            None
        }
    }
}

/// Holds RTNL until dropped.
///
/// # Invariants
///
/// The current thread took RTNL when it created the guard and still holds it.
///
/// # Examples
///
/// ```
/// use kernel::net::RtnlGuard;
///
/// let rtnl = RtnlGuard::lock();
/// // `&*rtnl` is a `&Rtnl`, accepted by functions that need the lock.
/// drop(rtnl);
/// ```
pub struct RtnlGuard {
    _not_send: PhantomData<*mut ()>,
}

impl RtnlGuard {
    /// Takes RTNL, sleeping until it is available.
    pub fn lock() -> Self {
        // SAFETY: `rtnl_lock` may sleep, which the caller of a sleeping function allows.
        unsafe { bindings::rtnl_lock() };
        // INVARIANT: The lock was taken just above.
        Self {
            _not_send: PhantomData,
        }
    }
}

impl Deref for RtnlGuard {
    type Target = Rtnl;

    fn deref(&self) -> &Rtnl {
        // SAFETY: By the type invariants RTNL is held while `self`, and so the returned
        // reference, lives.
        unsafe { Rtnl::assume_held() }
    }
}

impl Drop for RtnlGuard {
    fn drop(&mut self) {
        // SAFETY: By the type invariants this thread holds RTNL.
        unsafe { bindings::rtnl_unlock() };
    }
}
