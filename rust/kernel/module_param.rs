// SPDX-License-Identifier: GPL-2.0

//! Module parameters.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)
//!
//! Parameters are declared in the `params` block of [`module!`](crate::prelude::module); the
//! macro emits one [`KernelParam`] into the `__param` section for each of them, plus the
//! `parm`/`parmtype` modinfo strings `modinfo(8)` shows. The value lives in a
//! [`ModuleParamAccess`], read by the module through `module_parameters::<name>`.
//!
//! Parsing follows the C `param_ops_*` exactly (the same `kstrto*` calls, the same errnos), so a
//! Rust module rejects the same command lines as a C one, with the kernel's own messages
//! ("`` `abc' invalid for parameter `miimon' ``").

use crate::{bindings, error::code::*, error::Result, prelude::*, str::CStr, types::Opaque};
use core::{cell::UnsafeCell, fmt, fmt::Write, marker::PhantomData};

/// The longest string a `charp`-like parameter accepts, as in C's `param_set_charp`.
const MAX_STRING_PARAM: usize = 1024;

/// A type that can be the value of a module parameter.
///
/// # Examples
///
/// ```
/// use kernel::module_param::{ModuleParam, ParamString, ParamStringArray};
/// use kernel::c_str;
/// use kernel::error::{code::{EINVAL, ERANGE}, Error};
///
/// assert_eq!(i32::try_from_param_arg(c_str!("100")), Ok(100));
/// assert_eq!(i32::try_from_param_arg(c_str!("-5")), Ok(-5));
/// assert_eq!(i32::try_from_param_arg(c_str!("0x10")), Ok(16));
/// assert_eq!(i32::try_from_param_arg(c_str!("100\n")), Ok(100));
/// assert_eq!(i32::try_from_param_arg(c_str!("abc")), Err(EINVAL));
/// assert_eq!(i32::try_from_param_arg(c_str!("")), Err(EINVAL));
/// assert_eq!(i32::try_from_param_arg(c_str!("4294967296")), Err(ERANGE));
/// assert_eq!(u32::try_from_param_arg(c_str!("-1")), Err(EINVAL));
/// assert_eq!(u8::try_from_param_arg(c_str!("256")), Err(ERANGE));
/// assert_eq!(bool::try_from_param_arg(c_str!("y")), Ok(true));
///
/// let s = ParamString::try_from_param_arg(c_str!("active-backup")).unwrap();
/// assert_eq!(s.as_bytes(), Some(&b"active-backup"[..]));
/// assert_eq!(ParamString::UNSET.as_bytes(), None);
///
/// let a = ParamStringArray::<2>::try_from_param_arg(c_str!("10.0.0.1,10.0.0.2")).unwrap();
/// assert_eq!(a.len(), 2);
/// assert!(ParamStringArray::<2>::try_from_param_arg(c_str!("a,b,c")).is_err());
/// # Ok::<(), Error>(())
/// ```
pub trait ModuleParam: Sized + Send + 'static {
    /// Parses the text given on the command line or written to sysfs.
    ///
    /// `arg` is what followed `name=`; errors are returned as the kernel's errnos (`EINVAL` for
    /// text that is not a value of the type, `ERANGE` for one out of its range), and the module
    /// loader turns them into its usual message.
    fn try_from_param_arg(arg: &CStr) -> Result<Self>;

    /// Parses `arg` given for the parameter called `name`; types whose errors name the
    /// parameter (as C's `param_array()` does) override this.
    fn try_from_named_param_arg(_name: &CStr, arg: &CStr) -> Result<Self> {
        Self::try_from_param_arg(arg)
    }

    /// Writes the value as sysfs shows it (without the trailing newline).
    fn write_param(&self, out: &mut dyn Write) -> fmt::Result;

    /// Gives up what the value holds when the module goes away (strings free their copy).
    fn release(&mut self) {}
}

macro_rules! impl_int_param {
    ($($t:ty => $kstrto:ident as $c:ty),* $(,)?) => {$(
        impl ModuleParam for $t {
            fn try_from_param_arg(arg: &CStr) -> Result<Self> {
                let mut value: $c = 0;
                // SAFETY: `arg` is NUL-terminated and `value` is a valid place for the result.
                let ret = unsafe { bindings::$kstrto(arg.as_char_ptr(), 0, &mut value) };
                if ret < 0 {
                    return Err(Error::from_errno(ret));
                }
                <$t>::try_from(value).map_err(|_| ERANGE)
            }

            fn write_param(&self, out: &mut dyn Write) -> fmt::Result {
                write!(out, "{}", self)
            }
        }
    )*};
}

// `kstrtoint` and friends are static inlines over these two, with the same range checks.
impl_int_param! {
    i8 => kstrtoll as i64, i16 => kstrtoll as i64, i32 => kstrtoll as i64, i64 => kstrtoll as i64,
    u8 => kstrtoull as u64, u16 => kstrtoull as u64, u32 => kstrtoull as u64, u64 => kstrtoull as u64,
    isize => kstrtoll as i64, usize => kstrtoull as u64,
}

impl ModuleParam for bool {
    fn try_from_param_arg(arg: &CStr) -> Result<Self> {
        let mut value = false;
        // SAFETY: `arg` is NUL-terminated and `value` is a valid place for the result.
        let ret = unsafe { bindings::kstrtobool(arg.as_char_ptr(), &mut value) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(value)
    }

    fn write_param(&self, out: &mut dyn Write) -> fmt::Result {
        out.write_char(if *self { 'Y' } else { 'N' })
    }
}

/// A string parameter, C's `charp`: unset (`NULL`) until given.
///
/// # Invariants
///
/// When set, the string holds no NUL byte and is at most 1023 bytes long.
#[derive(Default)]
pub struct ParamString(Option<KVec<u8>>);

impl ParamString {
    /// The value of a parameter that was not given.
    pub const UNSET: Self = Self(None);

    /// The string, or `None` if the parameter was not given.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.0.as_deref()
    }
}

impl ModuleParam for ParamString {
    fn try_from_param_arg(arg: &CStr) -> Result<Self> {
        let bytes = arg.as_bytes();
        if bytes.len() >= MAX_STRING_PARAM {
            return Err(ENOSPC);
        }
        let mut copy = KVec::with_capacity(bytes.len(), GFP_KERNEL)?;
        copy.extend_from_slice(bytes, GFP_KERNEL)?;
        Ok(Self(Some(copy)))
    }

    fn write_param(&self, out: &mut dyn Write) -> fmt::Result {
        match &self.0 {
            Some(s) => write!(out, "{}", crate::str::BStr::from_bytes(s)),
            None => out.write_str("(null)"),
        }
    }

    fn release(&mut self) {
        self.0 = None;
    }
}

/// An array of up to `N` strings given as `a,b,c`: C's `module_param_array(name, charp, ...)`.
#[derive(Default)]
pub struct ParamStringArray<const N: usize>(KVec<ParamString>);

impl<const N: usize> ParamStringArray<N> {
    /// No element given.
    pub const EMPTY: Self = Self(KVec::new());

    /// The elements given, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().filter_map(|s| s.as_bytes())
    }

    /// How many elements were given.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no element was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const N: usize> ModuleParam for ParamStringArray<N> {
    fn try_from_param_arg(arg: &CStr) -> Result<Self> {
        Self::try_from_named_param_arg(crate::c_str!("array"), arg)
    }

    fn try_from_named_param_arg(name: &CStr, arg: &CStr) -> Result<Self> {
        let mut elems = KVec::new();
        for part in arg.as_bytes().split(|&b| b == b',') {
            if elems.len() == N {
                // The words of C's param_array(), which has no prefix of its own.
                print_err_unprefixed(format_args!(
                    "{}: can only take {} arguments\n",
                    crate::str::BStr::from_bytes(name.as_bytes()),
                    N
                ));
                return Err(EINVAL);
            }
            if part.len() >= MAX_STRING_PARAM {
                return Err(ENOSPC);
            }
            let mut copy = KVec::with_capacity(part.len(), GFP_KERNEL)?;
            copy.extend_from_slice(part, GFP_KERNEL)?;
            elems.push(ParamString(Some(copy)), GFP_KERNEL)?;
        }
        Ok(Self(elems))
    }

    fn write_param(&self, out: &mut dyn Write) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                out.write_char(',')?;
            }
            s.write_param(out)?;
        }
        Ok(())
    }

    fn release(&mut self) {
        self.0 = KVec::new();
    }
}

/// Prints an error-level message with no module prefix, as C's `kernel/params.c` prints them.
fn print_err_unprefixed(args: fmt::Arguments<'_>) {
    #[cfg(not(CONFIG_PRINTK))]
    let _ = args;
    // SAFETY: The format string is NUL-terminated and `%pA` matches the argument passed.
    #[cfg(CONFIG_PRINTK)]
    unsafe {
        bindings::_printk(
            c"\x013%pA".as_ptr() as _,
            &args as *const _ as *const crate::ffi::c_void,
        );
    }
}

/// The storage of one module parameter.
///
/// # Invariants
///
/// `value` is only accessed with the module's parameter lock (`kernel_param_lock`) held, or by the
/// module loader before the module can be reached by anything else; `module` is the module
/// declaring the parameter (null when built in).
pub struct ModuleParamAccess<T> {
    value: UnsafeCell<T>,
    module: *mut bindings::module,
}

// SAFETY: Every access to `value` happens under the parameter lock (see the type invariants), so
// sharing the storage between threads is sound when `T` itself may be sent between them.
unsafe impl<T: Send> Sync for ModuleParamAccess<T> {}

impl<T: ModuleParam> ModuleParamAccess<T> {
    /// Creates the storage with the value a parameter has when it is not given.
    ///
    /// Used by code that [`module!`](crate::prelude::module) generates.
    #[doc(hidden)]
    pub const fn new(default: T, module: *mut bindings::module) -> Self {
        Self { value: UnsafeCell::new(default), module }
    }

    /// Runs `f` on the current value, under the module's parameter lock.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let _guard = ParamLock::new(self.module);
        // SAFETY: The parameter lock is held, so nothing writes the value meanwhile.
        f(unsafe { &*self.value.get() })
    }

    /// The current value.
    pub fn value(&self) -> T
    where
        T: Copy,
    {
        self.with(|v| *v)
    }
}

/// Holds `kernel_param_lock` of a module for its lifetime.
struct ParamLock(*mut bindings::module);

impl ParamLock {
    fn new(module: *mut bindings::module) -> Self {
        // SAFETY: `module` is this module (alive while its code runs) or null (the global lock).
        unsafe { bindings::kernel_param_lock(module) };
        Self(module)
    }
}

impl Drop for ParamLock {
    fn drop(&mut self) {
        // SAFETY: The lock was taken in `new`.
        unsafe { bindings::kernel_param_unlock(self.0) };
    }
}

/// One entry of the `__param` section: C's `struct kernel_param`.
///
/// # Invariants
///
/// `arg` points to the [`ModuleParamAccess<T>`] of the type `ops` was made for, and `name` to a
/// NUL-terminated string; both are `'static`.
#[repr(transparent)]
pub struct KernelParam(bindings::kernel_param);

// SAFETY: The kernel only reads the entry itself; the value it points to synchronises on its own.
unsafe impl Sync for KernelParam {}

impl KernelParam {
    /// Makes the entry for the parameter `name` stored in `access`.
    ///
    /// Used by code that [`module!`](crate::prelude::module) generates.
    #[doc(hidden)]
    pub const fn new<T: ModuleParam>(
        name: &'static CStr,
        perm: u16,
        access: &'static ModuleParamAccess<T>,
        ops: &'static Ops<T>,
    ) -> Self {
        // SAFETY: All-zero is a valid `kernel_param` (null pointers, no flags).
        let mut param: bindings::kernel_param = unsafe { core::mem::zeroed() };
        param.name = name.as_char_ptr();
        param.mod_ = access.module;
        param.ops = &ops.0;
        param.perm = perm;
        param.level = -1;
        param.__bindgen_anon_1.arg = access as *const ModuleParamAccess<T> as *mut _;
        Self(param)
    }
}

/// The `kernel_param_ops` of parameter type `T`.
#[repr(transparent)]
pub struct Ops<T>(bindings::kernel_param_ops, PhantomData<T>);

// SAFETY: The operations are plain function pointers, never written.
unsafe impl<T> Sync for Ops<T> {}

impl<T: ModuleParam> Ops<T> {
    /// The operations: parse on `set`, print on `get`, release on `free`.
    pub const OPS: Self = Self(
        bindings::kernel_param_ops {
            flags: 0,
            set: Some(set_param::<T>),
            get: Some(get_param::<T>),
            free: Some(free_param::<T>),
        },
        PhantomData,
    );
}

/// # Safety
///
/// Called by the kernel with `kp` one of the entries made by [`KernelParam::new`] for `T`, and
/// the parameter lock held (or the module not yet live).
unsafe extern "C" fn set_param<T: ModuleParam>(
    val: *const crate::ffi::c_char,
    kp: *const bindings::kernel_param,
) -> crate::ffi::c_int {
    if val.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `val` is a NUL-terminated string from the command line or sysfs.
    let arg = unsafe { CStr::from_char_ptr(val) };
    // SAFETY: `kp` is one of our entries, whose `name` is a NUL-terminated `'static` string.
    let name = unsafe { CStr::from_char_ptr((*kp).name) };
    match T::try_from_named_param_arg(name, arg) {
        Ok(new) => {
            // SAFETY: By the invariants of `KernelParam`, `arg` points to a
            // `ModuleParamAccess<T>`; the caller holds the lock that guards its value.
            let access = unsafe { &*((*kp).__bindgen_anon_1.arg as *const ModuleParamAccess<T>) };
            // SAFETY: As above: the lock is held, so this is the only access.
            unsafe { *access.value.get() = new };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by the kernel with `buffer` a `PAGE_SIZE` buffer and `kp` as for [`set_param`].
unsafe extern "C" fn get_param<T: ModuleParam>(
    buffer: *mut crate::ffi::c_char,
    kp: *const bindings::kernel_param,
) -> crate::ffi::c_int {
    // SAFETY: The kernel passes a buffer of `PAGE_SIZE` bytes.
    let mut out = unsafe { crate::str::Formatter::from_buffer(buffer.cast(), crate::page::PAGE_SIZE) };
    // SAFETY: By the invariants of `KernelParam`, `arg` points to a `ModuleParamAccess<T>`, whose
    // value the caller's lock guards.
    let value = unsafe { &*(*((*kp).__bindgen_anon_1.arg as *const ModuleParamAccess<T>)).value.get() };
    // A value longer than a page is cut, as `scnprintf` cuts it.
    let _ = value.write_param(&mut out).and_then(|_| out.write_char('\n'));
    out.bytes_written() as crate::ffi::c_int
}

/// # Safety
///
/// Called by the kernel when the module is unloaded, with `arg` the `arg` of an entry made by
/// [`KernelParam::new`] for `T`; nothing uses the parameter afterwards.
unsafe extern "C" fn free_param<T: ModuleParam>(arg: *mut crate::ffi::c_void) {
    // SAFETY: See the function's safety requirements.
    let access = unsafe { &*(arg as *const ModuleParamAccess<T>) };
    // SAFETY: The module is going away: nothing else accesses the value.
    unsafe { (*access.value.get()).release() };
}

/// The module's own `struct module`, for the parameter entries of a loadable module.
///
/// Used by code that [`module!`](crate::prelude::module) generates.
#[doc(hidden)]
pub const fn this_module_ptr(module: &'static Opaque<bindings::module>) -> *mut bindings::module {
    module.get()
}
