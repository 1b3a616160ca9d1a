//! The runtime behind [`crate::export_task!`]: the C ABI of ork's `library`
//! executor (`sdk/include/ork/task.h`, task ABI version 1), implemented once
//! here so the macro only generates thin `extern "C"` shims.
//!
//! A task function receives a NUL-terminated JSON object and returns a JSON
//! text the host releases with `ork_task_free`; NULL means failure, with the
//! reason in `ork_task_last_error` (per thread). No panic crosses the
//! boundary: each call runs under `catch_unwind`.

use std::any::Any;
use std::cell::RefCell;
use std::cell::UnsafeCell;
use std::ffi::{CStr, CString};
// std::os::raw, not std::ffi: std::ffi::c_char needs rustc 1.64, and the
// crate stays valid for Debian 12's rustc 1.63.
use std::os::raw::c_char;
use std::fmt::Display;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Once;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::arguments::Arguments;
use crate::signature::signature_json;
use crate::task_input::decode_input;
use crate::types::OrkType;

/// The task ABI version these exports implement (`ORK_TASK_ABI_VERSION`).
pub const TASK_ABI_VERSION: i32 = 1;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Runs `task` on the JSON text at `input` and returns its output as a JSON
/// text owned by the caller (release it with [`free_output`]), or NULL after
/// recording why in [`last_error`].
///
/// # Safety
/// `input` must be NULL or point to a NUL-terminated string that stays valid
/// for the call.
pub unsafe fn call_task<I, O, E, F>(task: F, input: *const c_char) -> *mut c_char
where
    I: DeserializeOwned + OrkType,
    O: Serialize + OrkType,
    E: Display,
    F: FnOnce(I) -> Result<O, E>,
{
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller guarantees `input` is NULL or a valid C string.
        let text = unsafe { input_text(input) }?;
        let task_input = decode_input::<I>(text).map_err(|error| format!("ork task input: {error}"))?;
        let output = task(task_input).map_err(|error| format!("ork task failed: {error}"))?;
        let json = serde_json::to_string(&output)
            .map_err(|error| format!("ork task output: cannot serialise the result: {error}"))?;
        // serde_json escapes every control character, so the text holds no NUL byte.
        CString::new(json).map_err(|_| "ork task output: the result contains a NUL byte".to_string())
    }));
    match outcome {
        Ok(Ok(json)) => json.into_raw(),
        Ok(Err(message)) => fail(message),
        Err(payload) => fail(format!("ork task panicked: {}", panic_message(payload.as_ref()))),
    }
}

/// Runs a plain function with named parameters on the JSON text at `input`
/// (see [`Arguments`] for how each parameter is bound): `call` takes each
/// argument from the `Arguments` and calls the function. Returns the output
/// as a JSON text owned by the caller (release it with [`free_output`]), or
/// NULL after recording why in [`last_error`]; a panic is caught as in
/// [`call_task`]. This is what ork's rust language plugin generates for a
/// task written as `{file: score.rs, function: score}`.
///
/// # Safety
/// `input` must be NULL or point to a NUL-terminated string that stays valid
/// for the call.
pub unsafe fn call_function<O, F>(call: F, input: *const c_char) -> *mut c_char
where
    O: Serialize,
    F: FnOnce(&mut Arguments) -> Result<O, String>,
{
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller guarantees `input` is NULL or a valid C string.
        let text = unsafe { input_text(input) }?;
        let mut arguments = Arguments::parse(text)?;
        let output = call(&mut arguments)?;
        let json = serde_json::to_string(&output)
            .map_err(|error| format!("ork task output: cannot serialise the result: {}", error))?;
        CString::new(json).map_err(|_| "ork task output: the result contains a NUL byte".to_string())
    }));
    match outcome {
        Ok(Ok(json)) => json.into_raw(),
        Ok(Err(message)) => fail(message),
        Err(payload) => fail(format!("ork task panicked: {}", panic_message(payload.as_ref()))),
    }
}

/// Releases a text returned by [`call_task`] or [`call_function`].
///
/// # Safety
/// `output` must be NULL or a pointer returned by [`call_task`] that was not
/// released yet.
pub unsafe fn free_output(output: *mut c_char) {
    if !output.is_null() {
        // SAFETY: the pointer came from CString::into_raw in call_task.
        drop(unsafe { CString::from_raw(output) });
    }
}

/// Why the last task call on this thread returned NULL; "" before any
/// failure. Valid until the next failing call on this thread.
pub fn last_error() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ptr())
}

/// The signature JSON of `task` as a C string, or why it has none (the
/// input type is not an object type). The exported signature functions
/// compute it once and keep it for the life of the library.
pub fn task_signature<I, O, E, F>(_task: &F) -> Result<CString, String>
where
    I: OrkType,
    O: OrkType,
    F: FnOnce(I) -> Result<O, E>,
{
    let json = match catch_unwind(signature_json::<I, O>) {
        Ok(result) => result.map_err(|error| format!("ork task signature: {error}"))?,
        Err(payload) => return Err(format!("ork task signature panicked: {}", panic_message(payload.as_ref()))),
    };
    CString::new(json).map_err(|_| "ork task signature: a field name contains a NUL byte".to_string())
}

/// The pointer an exported signature function returns for a cached
/// [`task_signature`]: the text, or NULL with the reason in [`last_error`].
pub fn signature_pointer(signature: &Result<CString, String>) -> *const c_char {
    match signature {
        Ok(text) => text.as_ptr(),
        Err(message) => {
            record_error(message.clone());
            ptr::null()
        }
    }
}

/// A signature computed once and kept for the life of the library: what the
/// exported signature functions cache. (std::sync::OnceLock needs rustc 1.70;
/// this crate stays valid for Debian 12's rustc 1.63.)
pub struct SignatureCell {
    once: Once,
    value: UnsafeCell<Option<Result<CString, String>>>,
}

// SAFETY: `value` is written once, inside `once.call_once`, before any read;
// every read happens after call_once returned, which synchronises with the write.
unsafe impl Sync for SignatureCell {}

impl SignatureCell {
    /// An empty cell, for a `static`.
    pub const fn new() -> SignatureCell {
        SignatureCell { once: Once::new(), value: UnsafeCell::new(None) }
    }

    /// The signature, computed by `compute` on the first call.
    pub fn get_or_init(&self, compute: impl FnOnce() -> Result<CString, String>) -> &Result<CString, String> {
        // SAFETY: the only write, made once before any read (see Sync above).
        self.once.call_once(|| unsafe { *self.value.get() = Some(compute()) });
        // SAFETY: call_once returned, so the value is written and never written again.
        match unsafe { &*self.value.get() } {
            Some(signature) => signature,
            None => unreachable!("call_once ran the initialiser"),
        }
    }
}

impl Default for SignatureCell {
    fn default() -> SignatureCell {
        SignatureCell::new()
    }
}

unsafe fn input_text<'a>(input: *const c_char) -> Result<&'a str, String> {
    if input.is_null() {
        return Err("ork task input: the input pointer is NULL; pass a JSON object such as \"{}\"".into());
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(input) }
        .to_str()
        .map_err(|error| format!("ork task input: the input is not UTF-8: {error}"))
}

fn fail(message: String) -> *mut c_char {
    record_error(message);
    ptr::null_mut()
}

fn record_error(message: String) {
    // An interior NUL would end the C string early; show it instead.
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = text);
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with a non-string payload".into()
    }
}
