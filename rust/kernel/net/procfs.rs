// SPDX-License-Identifier: GPL-2.0

//! Files under `/proc/net/` of a network namespace, shown through `seq_file`.
//!
//! C headers: [`include/linux/proc_fs.h`](srctree/include/linux/proc_fs.h),
//! [`include/linux/seq_file.h`](srctree/include/linux/seq_file.h).

use super::namespace::{Net, NetScope, Revoke};
use crate::{alloc::KBox, bindings, error::code::*, error::Result, prelude::*, str::CStr, sync::Arc};
use core::{fmt, pin::Pin};

/// The output buffer of a `seq_file` being shown.
///
/// # Invariants
///
/// Wraps a valid `seq_file` in its `show` callback.
pub struct SeqFile(*mut bindings::seq_file);

impl SeqFile {
    /// Writes raw bytes.
    pub fn write_bytes(&mut self, b: &[u8]) {
        // SAFETY: The seq_file is valid during `show` (type invariants). Overflow is recorded
        // in the seq_file, which then retries `show` with a larger buffer.
        unsafe { bindings::seq_write(self.0, b.as_ptr().cast(), b.len()) };
    }
}

impl fmt::Write for SeqFile {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// What a proc file shows.
pub trait Show: Send + Sync + 'static {
    /// Writes the whole file; called again with a bigger buffer if the output did not fit.
    fn show(&self, m: &mut SeqFile) -> Result;
}

/// A directory `/proc/net/NAME` of a namespace, shared (`Arc`) with the files in it, which
/// keep it alive; removed when the last reference goes, or when the namespace does (see
/// [`NetScope`]), whichever comes first.
///
/// # Invariants
///
/// `entry` is a proc directory this value created in `scope`'s namespace, a member of
/// `scope` until the value is dropped or the scope revoked.
pub struct Dir {
    entry: *mut bindings::proc_dir_entry,
    scope: Arc<NetScope>,
}

// SAFETY: The entry pointer is only used (removed) under the scope's lock.
unsafe impl Send for Dir {}
// SAFETY: `&Dir` only lends the pointer to create children, under the scope's lock.
unsafe impl Sync for Dir {}

/// Removes a proc entry with everything under it (a [`NetScope`] member's revocation).
///
/// # Safety
///
/// `entry` must be a live proc entry.
unsafe fn remove_entry(entry: *const core::ffi::c_void) {
    // SAFETY: Guaranteed by the caller; `proc_remove` waits for running callbacks.
    unsafe { bindings::proc_remove(entry.cast_mut().cast()) };
}

impl Dir {
    /// Creates `/proc/net/<name>` in `scope`'s namespace.
    pub fn new(scope: &Arc<NetScope>, name: &'static CStr) -> Result<Arc<Self>> {
        let create = |net: &Net| {
            // SAFETY: `name` is a static string; the namespace's proc directory is live.
            let e = unsafe { bindings::proc_mkdir(name.as_char_ptr(), net.proc_net()) };
            if e.is_null() {
                return Err(ENOMEM);
            }
            Ok((e, Some((e.cast_const().cast(), remove_entry as Revoke))))
        };
        // SAFETY: The entry joins the scope as soon as it exists and is removed by
        // `remove_entry`; it stays until `drop` makes it leave, or the scope revokes it.
        let entry = unsafe { scope.join(create) }?;
        // INVARIANT: Created in `scope` and a member of it.
        Arc::new(Self { entry, scope: scope.clone() }, GFP_KERNEL).inspect_err(|_| {
            // SAFETY: Still a member, so still live.
            scope.leave(entry.cast_const().cast(), || unsafe { remove_entry(entry.cast_const().cast()) });
        }).map_err(Into::into)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let entry = self.entry.cast_const().cast();
        // SAFETY: While the scope is alive the entry is ours and live (type invariants).
        self.scope.leave(entry, || unsafe { remove_entry(entry) });
    }
}

/// A read-only file whose content `T::show` writes; removed on drop, or with its directory
/// or namespace, whichever comes first (see [`NetScope`]).
///
/// # Invariants
///
/// While `scope` is alive, `entry` is a live proc file whose private data is `data`'s address;
/// a file made with [`File::new_in_net`] is a member of `scope` until dropped.
pub struct File<T: Show> {
    entry: *mut bindings::proc_dir_entry,
    data: Pin<KBox<T>>,
    scope: Arc<NetScope>,
    // Declared last: the directory outlives the file's removal in `drop`.
    _dir: Option<Arc<Dir>>,
}

// SAFETY: `T: Send + Sync`; the entry pointer is only used under the scope's lock.
unsafe impl<T: Show> Send for File<T> {}
// SAFETY: See above.
unsafe impl<T: Show> Sync for File<T> {}

impl<T: Show> File<T> {
    /// Creates file `name` (mode 0444) in `dir`, which the file keeps alive.
    pub fn new(dir: &Arc<Dir>, name: &CStr, data: T) -> Result<Self> {
        Self::create(&dir.scope, Some(dir.clone()), name, data)
    }

    /// Creates `/proc/net/<name>` directly in `scope`'s namespace.
    pub fn new_in_net(scope: &Arc<NetScope>, name: &CStr, data: T) -> Result<Self> {
        Self::create(scope, None, name, data)
    }

    fn create(scope: &Arc<NetScope>, dir: Option<Arc<Dir>>, name: &CStr, data: T) -> Result<Self> {
        let data = KBox::pin(data, GFP_KERNEL)?;
        let p: *const T = &*data;
        let in_dir = dir.as_ref().map(|d| d.entry);
        let create = |net: &Net| {
            // The directory is live: the scope is alive, and `dir` keeps it referenced.
            let parent = in_dir.unwrap_or_else(|| net.proc_net());
            // SAFETY: `parent` is a live directory; `p` stays valid until the entry is
            // removed (which waits for running `show`s); the name is copied by procfs.
            let e = unsafe {
                bindings::proc_create_single_data(
                    name.as_char_ptr(),
                    0o444,
                    parent,
                    Some(show_callback::<T>),
                    p.cast_mut().cast(),
                )
            };
            if e.is_null() {
                return Err(ENOMEM);
            }
            let member = match in_dir {
                Some(_) => None,
                None => Some((e.cast_const().cast(), remove_entry as Revoke)),
            };
            Ok((e, member))
        };
        // SAFETY: A file in a directory goes with the directory (`proc_remove` of the
        // directory removes it), so only a file made directly in the namespace joins the
        // scope; it is removed by `remove_entry`, and stays until `drop` makes it leave.
        let entry = unsafe { scope.join(create) }?;
        // INVARIANT: Created just above with `data`'s address.
        Ok(Self {
            entry,
            data,
            scope: scope.clone(),
            _dir: dir,
        })
    }

    /// The data the file shows.
    pub fn data(&self) -> &T {
        &self.data
    }
}

impl<T: Show> Drop for File<T> {
    fn drop(&mut self) {
        let entry = self.entry.cast_const().cast();
        // SAFETY: While the scope is alive the entry is ours and live (type invariants);
        // `proc_remove` returns once no `show` runs, so `data` may be dropped afterwards.
        self.scope.leave(entry, || unsafe { remove_entry(entry) });
    }
}

extern "C" fn show_callback<T: Show>(
    m: *mut bindings::seq_file,
    _v: *mut core::ffi::c_void,
) -> core::ffi::c_int {
    // SAFETY: `single_open` stored the entry's data (a `T`, see `File::create`) in `private`;
    // the entry is live while `show` runs.
    let data = unsafe { &*((*m).private as *const T) };
    match data.show(&mut SeqFile(m)) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
