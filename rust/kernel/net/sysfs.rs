// SPDX-License-Identifier: GPL-2.0

//! sysfs files of network devices: a class attribute per namespace
//! (`/sys/class/net/<name>`, as `bonding_masters`) and named attribute directories under a
//! device (`/sys/class/net/<dev>/<group>/`, as `bonding/` and `bonding_slave/`).
//!
//! C headers: [`include/linux/sysfs.h`](srctree/include/linux/sysfs.h),
//! [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h)
//! (`netdev_class_create_file_ns`).
//!
//! Files are read through [`Page`], a `PAGE_SIZE` buffer, and written with the bytes user
//! space wrote. A `store` returns `Ok(())` to accept the whole write or an error whose errno
//! the writer sees.

use super::{
    device::Device,
    namespace::{Net, NetScope, Revoke},
    rtnl::Rtnl,
};
use crate::{
    alloc::{KBox, KVec},
    bindings,
    error::{to_result, Error, Result},
    prelude::*,
    str::CStr,
    sync::Arc,
    types::ARef,
};
use core::{fmt, mem::ManuallyDrop, pin::Pin, ptr};

/// The buffer a sysfs `show` writes into: one page, output beyond it is cut off.
pub struct Page<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Page<'a> {
    /// # Safety
    ///
    /// `buf` must be a writable `PAGE_SIZE` buffer, exclusively ours for `'a`.
    unsafe fn from_raw(buf: *mut crate::ffi::c_char) -> Self {
        Self {
            // SAFETY: Guaranteed by the caller.
            buf: unsafe { core::slice::from_raw_parts_mut(buf.cast(), bindings::PAGE_SIZE) },
            len: 0,
        }
    }

    /// Appends bytes, as many as fit.
    pub fn write_bytes(&mut self, b: &[u8]) {
        let n = b.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
    }

    /// What has been written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Room left on the page.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }

    /// Replaces the last byte written (bonding turns a list's trailing space into a
    /// newline this way); does nothing on an empty page.
    pub fn replace_last(&mut self, b: u8) {
        if self.len > 0 {
            self.buf[self.len - 1] = b;
        }
    }
}

impl fmt::Write for Page<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// What a class attribute does; `net` is the namespace the file belongs to.
pub trait ClassAttributeOps: Send + Sync + 'static {
    /// Reading the file.
    fn show(&self, net: &Net, page: &mut Page<'_>) -> Result;
    /// Writing the file.
    fn store(&self, net: &Net, input: &[u8]) -> Result;
}

#[repr(C)]
struct ClassBlock<T> {
    attr: bindings::class_attribute,
    ns: *const bindings::net,
    data: T,
}

/// A file in `/sys/class/net/` of one network namespace; removed on drop, or when the
/// namespace goes, whichever comes first (see [`NetScope`]).
///
/// # Invariants
///
/// While `scope` is alive, `block.attr` is registered with `netdev_class_create_file_ns` for
/// `block.ns`, `scope`'s namespace, and `block` is a member of `scope`; `block` never moves.
pub struct ClassAttribute<T: ClassAttributeOps> {
    block: Pin<KBox<ClassBlock<T>>>,
    scope: Arc<NetScope>,
}

// SAFETY: `T: Send + Sync`; the namespace pointer is only used as a tag, and under the
// scope's lock.
unsafe impl<T: ClassAttributeOps> Send for ClassAttribute<T> {}
// SAFETY: See above.
unsafe impl<T: ClassAttributeOps> Sync for ClassAttribute<T> {}

/// Removes a class file (a [`NetScope`] member's revocation).
///
/// # Safety
///
/// `block` must point to the registered `ClassBlock<T>` of a live [`ClassAttribute`].
unsafe fn remove_class_file<T: ClassAttributeOps>(block: *const core::ffi::c_void) {
    // SAFETY: Guaranteed by the caller; removal waits for running callbacks.
    unsafe {
        let block = &*block.cast::<ClassBlock<T>>();
        bindings::netdev_class_remove_file_ns(&block.attr, block.ns.cast())
    };
}

impl<T: ClassAttributeOps> ClassAttribute<T> {
    /// Creates `/sys/class/net/<name>` in `scope`'s namespace with permissions `mode`.
    pub fn new(scope: &Arc<NetScope>, name: &'static CStr, mode: u16, data: T) -> Result<Self> {
        // SAFETY: All-zero is a valid `attribute` (no lockdep key yet; `sysfs_attr_init`).
        let mut attr: bindings::attribute = unsafe { core::mem::MaybeUninit::zeroed().assume_init() };
        attr.name = name.as_char_ptr();
        attr.mode = mode;
        let block = KBox::pin(
            ClassBlock {
                attr: bindings::class_attribute {
                    attr,
                    show: Some(class_show::<T>),
                    store: Some(class_store::<T>),
                },
                ns: scope.net_ptr(),
                data,
            },
            GFP_KERNEL,
        )?;
        let obj: *const core::ffi::c_void = ptr::addr_of!(*block).cast();
        // SAFETY: The block is pinned and outlives the registration (dropped after removal in
        // `drop`, or after the scope's revocation removed it); `sysfs_attr_init` only sets the
        // lockdep key. The file joins the scope, removed by `remove_class_file::<T>`.
        unsafe {
            scope.join(|net| {
                let attr = ptr::addr_of!(block.attr).cast_mut();
                bindings::sysfs_attr_init(ptr::addr_of_mut!((*attr).attr));
                to_result(bindings::netdev_class_create_file_ns(attr, net.as_raw().cast()))?;
                Ok(((), Some((obj, remove_class_file::<T> as Revoke))))
            })
        }?;
        // INVARIANT: Registered just above, a member of `scope`.
        Ok(Self { block, scope: scope.clone() })
    }

    /// The attribute's data.
    pub fn data(&self) -> &T {
        &self.block.data
    }
}

impl<T: ClassAttributeOps> Drop for ClassAttribute<T> {
    fn drop(&mut self) {
        let obj: *const core::ffi::c_void = ptr::addr_of!(*self.block).cast();
        // SAFETY: While the scope is alive the file is registered (type invariants).
        self.scope.leave(obj, || unsafe { remove_class_file::<T>(obj) });
    }
}

/// Turns a callback result into sysfs's return value.
fn ssize(r: Result<usize>) -> isize {
    match r {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

unsafe extern "C" fn class_show<T: ClassAttributeOps>(
    _class: *const bindings::class,
    attr: *const bindings::class_attribute,
    buf: *mut crate::ffi::c_char,
) -> isize {
    // SAFETY: `attr` is the first field of a `#[repr(C)]` `ClassBlock<T>` (see `new`), alive
    // while the file exists; `buf` is a page we may fill. The namespace outlives the file:
    // its scope removes the file (waiting for this callback) before the namespace goes.
    let (block, mut page, net) = unsafe {
        let block = &*attr.cast::<ClassBlock<T>>();
        (block, Page::from_raw(buf), Net::from_raw(block.ns.cast_mut()))
    };
    ssize(block.data.show(net, &mut page).map(|()| page.len))
}

unsafe extern "C" fn class_store<T: ClassAttributeOps>(
    _class: *const bindings::class,
    attr: *const bindings::class_attribute,
    buf: *const crate::ffi::c_char,
    count: usize,
) -> isize {
    // SAFETY: As in `class_show`; `buf` holds `count` bytes written by user space.
    let (block, input, net) = unsafe {
        let block = &*attr.cast::<ClassBlock<T>>();
        (
            block,
            core::slice::from_raw_parts(buf.cast::<u8>(), count),
            Net::from_raw(block.ns.cast_mut()),
        )
    };
    ssize(block.data.store(net, input).map(|()| count))
}

/// One file of an attribute directory, with its callbacks on the directory's data `T`.
pub struct AttrDef<T> {
    /// The file name.
    pub name: &'static CStr,
    /// Permissions (0444 read-only, 0644 read-write).
    pub mode: u16,
    /// Reading the file.
    pub show: fn(&T, &mut Page<'_>) -> Result,
    /// Writing the file; `None` for read-only files.
    pub store: Option<fn(&T, &[u8]) -> Result>,
}

#[repr(C)]
struct DynAttr<T: 'static> {
    attr: bindings::device_attribute,
    def: &'static AttrDef<T>,
    data: *const T,
}

/// A named directory of attributes under a network device (`sysfs_create_group`), whose
/// files call back into `data`. Remove it with [`AttributeGroup::remove`] under RTNL, or drop
/// it without RTNL held (the drop takes RTNL), as with [`super::rx_handler::Registration`].
///
/// Removal needs RTNL because the device's own directory goes away under RTNL when the device
/// unregisters (`netdev_unregister_kobject`), taking the group's files with it; removing the
/// group after that would walk the deleted kobject's NULL directory. Under RTNL the two cases
/// can be told apart.
///
/// # Invariants
///
/// Until `removed` is set, `parts.group` (pointing into `parts`' attribute arrays, which are
/// never resized) is registered on `dev`'s kobject or was removed with that kobject's
/// directory, and every `DynAttr::data` points to `*parts.data`. `parts` is dropped only
/// after the group's files are gone, when `removed` is set.
pub struct AttributeGroup<T: Send + Sync + 'static> {
    dev: ARef<Device>,
    parts: ManuallyDrop<GroupParts<T>>,
    removed: bool,
}

/// The memory an [`AttributeGroup`]'s registered files point into.
struct GroupParts<T: Send + Sync + 'static> {
    group: Pin<KBox<bindings::attribute_group>>,
    _ptrs: KVec<*mut bindings::attribute>,
    _attrs: KVec<DynAttr<T>>,
    data: Pin<KBox<T>>,
}

// SAFETY: `T: Send + Sync`; the raw pointers point into memory the value owns.
unsafe impl<T: Send + Sync + 'static> Send for AttributeGroup<T> {}
// SAFETY: See above; `&AttributeGroup` only exposes `&T`.
unsafe impl<T: Send + Sync + 'static> Sync for AttributeGroup<T> {}

fn kobj(dev: &Device) -> *mut bindings::kobject {
    // SAFETY: A valid `net_device` embeds its `struct device` and so its kobject.
    unsafe { ptr::addr_of_mut!((*dev.as_raw()).dev.kobj) }
}

impl<T: Send + Sync + 'static> AttributeGroup<T> {
    /// Creates directory `name` under `dev` with one file per entry of `defs`.
    pub fn new(
        dev: &Device,
        _rtnl: &Rtnl,
        name: &'static CStr,
        defs: &'static [AttrDef<T>],
        data: T,
    ) -> Result<Self> {
        let data = KBox::pin(data, GFP_KERNEL)?;
        let data_ptr: *const T = &*data;
        let mut attrs = KVec::with_capacity(defs.len(), GFP_KERNEL)?;
        for def in defs {
            // SAFETY: All-zero is a valid `attribute`.
            let mut attr: bindings::attribute = unsafe { core::mem::MaybeUninit::zeroed().assume_init() };
            attr.name = def.name.as_char_ptr();
            attr.mode = def.mode;
            attrs.push(
                DynAttr {
                    attr: bindings::device_attribute {
                        attr,
                        show: Some(dev_show::<T>),
                        store: if def.store.is_some() { Some(dev_store::<T>) } else { None },
                    },
                    def,
                    data: data_ptr,
                },
                GFP_KERNEL,
            )?;
        }
        let mut ptrs = KVec::with_capacity(defs.len() + 1, GFP_KERNEL)?;
        for a in attrs.iter_mut() {
            let p: *mut bindings::attribute = ptr::addr_of_mut!(a.attr.attr);
            // SAFETY: `p` points into `attrs`, whose buffer no longer moves (never resized).
            unsafe { bindings::sysfs_attr_init(p) };
            ptrs.push(p, GFP_KERNEL)?;
        }
        ptrs.push(ptr::null_mut(), GFP_KERNEL)?;
        // SAFETY: All-zero is a valid `attribute_group` (no callbacks, no binary attributes).
        let mut group: bindings::attribute_group = unsafe { core::mem::MaybeUninit::zeroed().assume_init() };
        group.name = name.as_char_ptr();
        group.attrs = ptrs.as_mut_ptr();
        let group = KBox::pin(group, GFP_KERNEL)?;
        // SAFETY: The group, its attribute array and the attributes live until `remove` has
        // removed the group (which waits for running callbacks), or for ever. RTNL is held, so
        // the device's kobject is not being deleted meanwhile.
        to_result(unsafe { bindings::sysfs_create_group(kobj(dev), &*group) })?;
        // INVARIANT: Registered just above with pointers into `attrs` and `ptrs`.
        Ok(Self {
            dev: dev.into(),
            parts: ManuallyDrop::new(GroupParts {
                group,
                _ptrs: ptrs,
                _attrs: attrs,
                data,
            }),
            removed: false,
        })
    }

    /// The directory's data.
    pub fn data(&self) -> Pin<&T> {
        self.parts.data.as_ref()
    }

    /// Removes the directory (unless the device's deletion took it already) and frees the
    /// data, once no callback runs.
    pub fn remove(mut self, rtnl: &Rtnl) {
        self.remove_locked(rtnl);
    }

    fn remove_locked(&mut self, _rtnl: &Rtnl) {
        if self.removed {
            return;
        }
        let kobj = kobj(&self.dev);
        // SAFETY: A net device's kobject is deleted (its `sd` cleared) only under RTNL, which
        // is held, so `sd` is stable here.
        let present = unsafe { !(*kobj).sd.is_null() };
        if present {
            // SAFETY: Registered by `new` on this kobject, whose directory still exists;
            // `sysfs_remove_group` returns once no callback runs.
            unsafe { bindings::sysfs_remove_group(kobj, &*self.parts.group) };
        }
        // Otherwise the kobject's deletion removed the files (`kernfs_remove` drains running
        // callbacks first). Either way nothing points into `parts` any more.
        self.removed = true;
        // SAFETY: See above; `removed` keeps it from being dropped twice.
        unsafe { ManuallyDrop::drop(&mut self.parts) };
    }
}

impl<T: Send + Sync + 'static> Drop for AttributeGroup<T> {
    /// Removes the directory, taking RTNL: drop it without RTNL held, or call
    /// [`AttributeGroup::remove`] first.
    fn drop(&mut self) {
        if !self.removed {
            let rtnl = super::RtnlGuard::lock();
            self.remove_locked(&rtnl);
        }
    }
}

unsafe extern "C" fn dev_show<T: Send + Sync + 'static>(
    _dev: *mut bindings::device,
    attr: *mut bindings::device_attribute,
    buf: *mut crate::ffi::c_char,
) -> isize {
    // SAFETY: `attr` is the first field of a `#[repr(C)]` `DynAttr<T>` of a registered group,
    // whose data outlives the group; `buf` is a page we may fill.
    let (a, mut page) = unsafe { (&*attr.cast::<DynAttr<T>>(), Page::from_raw(buf)) };
    // SAFETY: See above (type invariants of `AttributeGroup`).
    let data = unsafe { &*a.data };
    ssize((a.def.show)(data, &mut page).map(|()| page.len))
}

unsafe extern "C" fn dev_store<T: Send + Sync + 'static>(
    _dev: *mut bindings::device,
    attr: *mut bindings::device_attribute,
    buf: *const crate::ffi::c_char,
    count: usize,
) -> isize {
    // SAFETY: As in `dev_show`; `buf` holds `count` bytes written by user space.
    let (a, input) = unsafe {
        (&*attr.cast::<DynAttr<T>>(), core::slice::from_raw_parts(buf.cast::<u8>(), count))
    };
    // SAFETY: See `dev_show`.
    let data = unsafe { &*a.data };
    match a.def.store {
        Some(store) => ssize(store(data, input).map(|()| count)),
        None => ssize(Err(Error::from_errno(-(bindings::EIO as i32)))),
    }
}
