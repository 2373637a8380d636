// SPDX-License-Identifier: GPL-2.0

//! Random numbers from the kernel's generator.
//!
//! C header: [`include/linux/random.h`](srctree/include/linux/random.h).

/// A random `u32` (`get_random_u32`); callable from any context.
pub fn u32() -> u32 {
    // SAFETY: `get_random_u32` has no preconditions.
    unsafe { crate::bindings::get_random_u32() }
}
