// SPDX-License-Identifier: GPL-2.0

//! Files under `/proc/net/` of a network namespace, shown through `seq_file`.
//!
//! C headers: [`include/linux/proc_fs.h`](srctree/include/linux/proc_fs.h),
//! [`include/linux/seq_file.h`](srctree/include/linux/seq_file.h).

use super::namespace::Net;
use crate::{alloc::KBox, bindings, error::code::*, error::Result, prelude::*, str::CStr, sync::Arc};
use core::{fmt, pin::Pin, ptr};

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
/// keep it alive; removed when the last reference goes.
///
/// # Invariants
///
/// `entry` is a live proc directory this value created.
pub struct Dir {
    entry: *mut bindings::proc_dir_entry,
}

// SAFETY: The entry pointer may be used (removed) from any thread.
unsafe impl Send for Dir {}
// SAFETY: `&Dir` only lends the pointer to create children, which procfs serialises.
unsafe impl Sync for Dir {}

impl Dir {
    /// Creates `/proc/net/<name>` in `net`.
    pub fn new(net: &Net, name: &'static CStr) -> Result<Arc<Self>> {
        // SAFETY: `name` is a static string; the namespace's proc directory is valid.
        let entry = unsafe { bindings::proc_mkdir(name.as_char_ptr(), net.proc_net()) };
        if entry.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: Created just above.
        Ok(Arc::new(Self { entry }, GFP_KERNEL)?)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // SAFETY: `entry` is ours (type invariants); `proc_remove` waits for users to leave.
        unsafe { bindings::proc_remove(self.entry) };
    }
}

/// A read-only file whose content `T::show` writes; removed on drop.
///
/// # Invariants
///
/// `entry` is a live proc file whose private data is `data`'s address.
pub struct File<T: Show> {
    entry: *mut bindings::proc_dir_entry,
    data: Pin<KBox<T>>,
    // Declared last: the directory outlives the file's removal in `drop`.
    _dir: Option<Arc<Dir>>,
}

// SAFETY: `T: Send + Sync`; the entry pointer may be used from any thread.
unsafe impl<T: Show> Send for File<T> {}
// SAFETY: See above.
unsafe impl<T: Show> Sync for File<T> {}

impl<T: Show> File<T> {
    /// Creates file `name` (mode 0444) in `dir`, which the file keeps alive.
    pub fn new(dir: &Arc<Dir>, name: &CStr, data: T) -> Result<Self> {
        Self::create(dir.entry, Some(dir.clone()), name, data)
    }

    /// Creates `/proc/net/<name>` directly in `net`. Drop the file before the namespace goes
    /// (keep it in the namespace's pernet state, or in a module of the initial namespace).
    pub fn new_in_net(net: &Net, name: &CStr, data: T) -> Result<Self> {
        Self::create(net.proc_net(), None, name, data)
    }

    fn create(
        parent: *mut bindings::proc_dir_entry,
        dir: Option<Arc<Dir>>,
        name: &CStr,
        data: T,
    ) -> Result<Self> {
        let data = KBox::pin(data, GFP_KERNEL)?;
        let p: *const T = &*data;
        // SAFETY: `parent` is a live directory; `p` stays valid until `drop` has removed the
        // entry (which waits for running `show`s); the name is copied by procfs.
        let entry = unsafe {
            bindings::proc_create_single_data(
                name.as_char_ptr(),
                0o444,
                parent,
                Some(show_callback::<T>),
                p.cast_mut().cast(),
            )
        };
        if entry.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: Created just above with `data`'s address.
        Ok(Self {
            entry,
            data,
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
        // SAFETY: `entry` is ours; `proc_remove` returns once no `show` runs, so `data` may be
        // dropped afterwards.
        unsafe { bindings::proc_remove(self.entry) };
        self.entry = ptr::null_mut();
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
