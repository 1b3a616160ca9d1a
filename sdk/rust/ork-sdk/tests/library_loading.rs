//! The example library task (examples/library_task.rs, a cdylib built by
//! `cargo test`) loaded with dlopen as ork's library executor loads it: the
//! exported symbols exist and behave per sdk/include/ork/task.h.
#![cfg(target_os = "linux")]

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::PathBuf;

extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlerror() -> *const c_char;
}

const RTLD_NOW: c_int = 2;
const RTLD_LOCAL: c_int = 0;

type RunFn = unsafe extern "C" fn(*const c_char) -> *mut c_char;
type FreeFn = unsafe extern "C" fn(*mut c_char);
type TextFn = unsafe extern "C" fn() -> *const c_char;
type VersionFn = unsafe extern "C" fn() -> c_int;

/// The loaded example library; never closed, as ork never unloads task libraries.
struct Library(*mut c_void);

impl Library {
    fn open() -> Library {
        let test_binary = std::env::current_exe().unwrap();
        let profile_dir = test_binary.parent().unwrap().parent().unwrap();
        let path: PathBuf = profile_dir.join("examples").join("liblibrary_task.so");
        let c_path = CString::new(path.to_str().unwrap()).unwrap();
        let handle = unsafe { dlopen(c_path.as_ptr(), RTLD_NOW | RTLD_LOCAL) };
        assert!(!handle.is_null(), "dlopen {}: {}", path.display(), text(unsafe { dlerror() }).unwrap_or_default());
        Library(handle)
    }

    fn symbol(&self, name: &str) -> Option<*mut c_void> {
        let c_name = CString::new(name).unwrap();
        let address = unsafe { dlsym(self.0, c_name.as_ptr()) };
        (!address.is_null()).then_some(address)
    }

    fn function<T: Copy>(&self, name: &str) -> T {
        let address = self.symbol(name).unwrap_or_else(|| panic!("the library does not export {name}"));
        assert_eq!(std::mem::size_of::<T>(), std::mem::size_of::<*mut c_void>());
        unsafe { std::mem::transmute_copy(&address) }
    }

    fn call(&self, symbol: &str, input: &str) -> Result<String, String> {
        let run: RunFn = self.function(symbol);
        let free: FreeFn = self.function("ork_task_free");
        let last_error: TextFn = self.function("ork_task_last_error");
        let input = CString::new(input).unwrap();
        let output = unsafe { run(input.as_ptr()) };
        if output.is_null() {
            return Err(text(unsafe { last_error() }).unwrap());
        }
        let json = text(output).unwrap();
        unsafe { free(output) };
        Ok(json)
    }

    fn text_of(&self, symbol: &str) -> Option<String> {
        let function: TextFn = self.function(symbol);
        text(unsafe { function() })
    }
}

fn text(pointer: *const c_char) -> Option<String> {
    (!pointer.is_null()).then(|| unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned())
}

#[test]
fn exports_the_task_abi_symbols() {
    let library = Library::open();
    for symbol in [
        "ork_task_run",
        "ork_task_free",
        "ork_task_last_error",
        "ork_task_signature",
        "ork_task_abi_version",
        "mean_of_numbers",
        "mean_of_numbers_signature",
    ] {
        assert!(library.symbol(symbol).is_some(), "missing export {symbol}");
    }
    let version: VersionFn = library.function("ork_task_abi_version");
    assert_eq!(unsafe { version() }, 1);
}

#[test]
fn runs_both_tasks_through_the_c_abi() {
    let library = Library::open();
    assert_eq!(
        library.call("ork_task_run", r#"{"values": [1, 2], "factor": 5}"#),
        Ok(r#"{"values":[5,10],"total":15}"#.into())
    );
    assert_eq!(library.call("mean_of_numbers", r#"{"upstream": {"numbers": [1, 2]}}"#), Ok("1.5".into()));
    assert_eq!(library.call("mean_of_numbers", r#"{"numbers": []}"#), Ok("null".into()));
}

#[test]
fn failures_come_back_as_null_and_last_error() {
    let library = Library::open();
    assert_eq!(library.call("mean_of_numbers", "{}"), Err(r#"ork task input: missing field "numbers""#.into()));
    assert_eq!(
        library.call("ork_task_run", r#"{"values": [9223372036854775807]}"#),
        Err("ork task failed: 9223372036854775807 * 2 overflows a 64-bit integer".into())
    );
}

#[test]
fn exports_each_tasks_signature() {
    let library = Library::open();
    assert_eq!(
        library.text_of("ork_task_signature").unwrap(),
        r#"{"inputs":{"values":"list[int]","factor":"int | None"},"output":{"$name":"Scaled","fields":{"values":"list[int]","total":"int"}},"defaults":["factor"]}"#
    );
    assert_eq!(
        library.text_of("mean_of_numbers_signature").unwrap(),
        r#"{"inputs":{"numbers":"list[float]"},"output":"float | None"}"#
    );
}
