//! `ork_object!`: declares structs and implements [`crate::OrkType`] for
//! them from their field list, since serde offers no reflection and no
//! proc-macro crate beyond serde_derive is available to derive it.

/// Declares one or more structs exactly as written and implements
/// [`OrkType`](crate::OrkType) for each, as a named object type whose fields
/// are the struct's fields (`Option<T>` fields are optional: `name?`).
///
/// Derives and serde attributes are passed through unchanged; write the
/// serde derives yourself. Field renames (`#[serde(rename)]`) are not seen by
/// the macro, so keep Rust and JSON field names equal. Generic structs are
/// not supported: implement `OrkType` by hand with
/// [`Type::object`](crate::Type::object) and [`Field::of`](crate::Field::of).
///
/// ```
/// use serde::{Deserialize, Serialize};
///
/// ork_sdk::ork_object! {
///     #[derive(Debug, Deserialize, Serialize)]
///     pub struct Order {
///         pub id: i64,
///         pub note: Option<String>,
///     }
/// }
///
/// use ork_sdk::OrkType;
/// assert_eq!(Order::ork_type().to_syntax(), "{id: int, note?: str | None}");
/// ```
#[macro_export]
macro_rules! ork_object {
    ($(
        $(#[$attribute:meta])*
        $visibility:vis struct $name:ident {
            $( $(#[$field_attribute:meta])* $field_visibility:vis $field:ident : $field_type:ty ),* $(,)?
        }
    )*) => {$(
        $(#[$attribute])*
        $visibility struct $name {
            $( $(#[$field_attribute])* $field_visibility $field : $field_type ),*
        }

        impl $crate::OrkType for $name {
            fn ork_type() -> $crate::Type {
                $crate::Type::object(
                    ::core::stringify!($name),
                    ::std::vec![$( $crate::Field::of::<$field_type>(::core::stringify!($field)) ),*],
                )
            }
        }
    )*};
}
