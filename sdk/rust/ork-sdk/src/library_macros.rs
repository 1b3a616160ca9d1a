//! `export_task!` and `export_task_support!`: export Rust task functions
//! through the C ABI of ork's `library` executor (`sdk/include/ork/task.h`).
//! The generated functions are thin shims over [`crate::library`].

/// Exports the library-wide functions of the task ABI: `ork_task_free`,
/// `ork_task_last_error` and `ork_task_abi_version`. Use it once per
/// library. `export_task!(function)` (the default-symbol form) includes it;
/// a library that only uses `export_task!(function as symbol)` must invoke
/// it itself.
#[macro_export]
macro_rules! export_task_support {
    () => {
        /// Releases a JSON text returned by a task function of this library.
        ///
        /// # Safety
        /// `output` must be NULL or a text a task function of this library
        /// returned and that was not released yet.
        #[no_mangle]
        pub unsafe extern "C" fn ork_task_free(output: *mut ::std::os::raw::c_char) {
            unsafe { $crate::library::free_output(output) }
        }

        /// Why the last task call on this thread returned NULL.
        #[no_mangle]
        pub extern "C" fn ork_task_last_error() -> *const ::std::os::raw::c_char {
            $crate::library::last_error()
        }

        /// The task ABI version this library was built against.
        #[no_mangle]
        pub extern "C" fn ork_task_abi_version() -> ::std::os::raw::c_int {
            $crate::library::TASK_ABI_VERSION
        }
    };
}

/// Exports a task function `fn(I) -> Result<O, E>` (with `I: Deserialize +
/// OrkType`, `O: Serialize + OrkType`, `E: Display`) through ork's library
/// task ABI. Invoke it at module level, with the function in scope.
///
/// * `export_task!(scale)` exports `ork_task_run` (ork's default
///   `function:`), `ork_task_signature`, and the library-wide functions of
///   [`export_task_support!`].
/// * `export_task!(scale as scale_numbers)` exports `scale_numbers` and
///   `scale_numbers_signature`, for several tasks in one library (YAML
///   `function: scale_numbers`). The symbol must differ from the Rust
///   function's name. Also invoke `export_task_support!()` once, unless the
///   library uses the default-symbol form too.
///
/// Each call runs under `catch_unwind`: a panic becomes a NULL result with
/// "ork task panicked: ..." in `ork_task_last_error`.
#[macro_export]
macro_rules! export_task {
    ($task:ident) => {
        $crate::export_task_support!();
        $crate::export_task!($task as ork_task_run);

        /// The signature JSON of the library's default task (`ork_task_run`).
        #[no_mangle]
        pub extern "C" fn ork_task_signature() -> *const ::std::os::raw::c_char {
            ork_task_run::signature()
        }
    };
    ($task:ident as $symbol:ident) => {
        /// Runs the task on a NUL-terminated JSON object; returns a JSON text
        /// to release with `ork_task_free`, or NULL (see `ork_task_last_error`).
        ///
        /// # Safety
        /// `input` must be NULL or a NUL-terminated string valid for the call.
        #[no_mangle]
        pub unsafe extern "C" fn $symbol(input: *const ::std::os::raw::c_char) -> *mut ::std::os::raw::c_char {
            unsafe { $crate::library::call_task($task, input) }
        }

        /// The signature export of the task exported as the parent module's
        /// function of the same name (`<symbol>_signature`).
        pub mod $symbol {
            /// The task's signature JSON, or NULL (see `ork_task_last_error`).
            #[export_name = ::core::concat!(::core::stringify!($symbol), "_signature")]
            pub extern "C" fn signature() -> *const ::std::os::raw::c_char {
                static SIGNATURE: $crate::library::SignatureCell = $crate::library::SignatureCell::new();
                $crate::library::signature_pointer(
                    SIGNATURE.get_or_init(|| $crate::library::task_signature(&super::$task)),
                )
            }
        }
    };
}
