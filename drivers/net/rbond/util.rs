// SPDX-License-Identifier: GPL-2.0

//! Small helpers the kernel crate of this tree lacks.

use kernel::prelude::*;

/// Removes and returns element `i` of `v`, keeping the order of the rest (`Vec::remove`).
pub(crate) fn vec_remove<T>(v: &mut KVec<T>, i: usize) -> Result<T> {
    if i >= v.len() {
        return Err(EINVAL);
    }
    let mut rest = KVec::with_capacity(v.len() - 1, GFP_KERNEL)?;
    let old = core::mem::replace(v, KVec::new());
    let mut removed = None;
    for (j, e) in old.into_iter().enumerate() {
        if j == i {
            removed = Some(e);
        } else {
            // Cannot fail: the capacity was reserved above.
            let _ = rest.push(e, GFP_KERNEL);
        }
    }
    *v = rest;
    removed.ok_or(EINVAL)
}
