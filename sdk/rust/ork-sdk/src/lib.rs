//! Write ork tasks in Rust (see docs/sdk-rust.md in the ork repository).
//!
//! A task is a plain function from a serde input type to a serde output type:
//!
//! ```no_run
//! use serde::{Deserialize, Serialize};
//!
//! ork_sdk::ork_object! {
//!     #[derive(Deserialize)]
//!     pub struct Input { values: Vec<i64>, factor: Option<i64> }
//!
//!     #[derive(Serialize)]
//!     pub struct Scaled { values: Vec<i64> }
//! }
//!
//! fn scale(input: Input) -> Result<Scaled, String> {
//!     let factor = input.factor.unwrap_or(2);
//!     Ok(Scaled { values: input.values.iter().map(|v| v * factor).collect() })
//! }
//!
//! fn main() {
//!     ork_sdk::run(scale)
//! }
//! ```
//!
//! It can be shipped two ways:
//!
//! * as a **process** task: `fn main() { ork_sdk::run(scale) }` — reads the
//!   task's input object from stdin, prints `ORK_OUTPUT:<json>`, exits 2 on
//!   bad input and 1 when the task returns `Err`, and answers
//!   `--ork-signature` with the signature JSON (see [`run`]);
//! * as a **library** task: `ork_sdk::export_task!(scale);` in a `cdylib`
//!   exports `ork_task_run`, `ork_task_free`, `ork_task_last_error`,
//!   `ork_task_signature` and `ork_task_abi_version` (see [`export_task!`]).
//!
//! Types are described to ork through the [`OrkType`] trait: implemented for
//! the primitives and std containers, generated for your structs by
//! [`ork_object!`], or written by hand with [`Type::object`] and
//! [`Field::of`]. Both forms read the same input object: the task's bound
//! inputs plus `upstream` (`{task: output}`); a struct field that is not an
//! explicit input but is named like an upstream task receives that task's
//! output.

mod arguments;
mod library_macros;
mod object_macro;
mod process;
mod signature;
mod task_input;
mod types;

pub mod library;

pub use arguments::Arguments;
pub use process::{execute, run, EXIT_BAD_INPUT, EXIT_TASK_FAILED};
pub use signature::{signature, signature_json, SignatureError};
pub use task_input::{decode_input, InputError};
pub use types::{Field, OrkType, Type};

// Re-exported so task crates and the macros can name them through `ork_sdk`.
pub use serde;
pub use serde_json;
