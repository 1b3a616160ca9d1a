//! ork's type language (DESIGN §4) on the Rust side: the [`Type`] tree, the
//! [`OrkType`] trait that maps a Rust type to it, and the implementations for
//! primitives and std containers. serde has no reflection, so this trait is
//! how a task's signature and the field names used for input checking are
//! known; [`crate::ork_object!`] implements it for structs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, LinkedList, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value};

/// A type in ork's type language.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `Any`: accepts and fits everything.
    Any,
    /// `null`.
    Null,
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `float` (an `int` fits it).
    Float,
    /// `str`.
    Str,
    /// `date`: an ISO 8601 `YYYY-MM-DD` string.
    Date,
    /// `datetime`: an ISO 8601 date-time string.
    DateTime,
    /// `list[T]`.
    List(Box<Type>),
    /// `dict[str, T]`: JSON object keys are always strings.
    Dict(Box<Type>),
    /// `tuple[A, B, ...]`: a JSON array of fixed length.
    Tuple(Vec<Type>),
    /// `A | B`; `T | None` is a union with a `Null` member. Build with [`Type::union`].
    Union(Vec<Type>),
    /// `{field: T, optional?: T}`, named (`Order`) or anonymous.
    Object { name: Option<String>, fields: Vec<Field> },
}

/// One field of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    /// The field may be absent from the JSON object (written `name?`).
    pub optional: bool,
}

/// A Rust type with a known ork type.
pub trait OrkType {
    /// The ork type of `Self`'s JSON form (its serde serialisation).
    fn ork_type() -> Type;

    /// Whether a struct field of this type may be absent from its JSON
    /// object. True for `Option<T>`: serde's derive fills a missing `Option`
    /// field with `None`.
    const OPTIONAL_FIELD: bool = false;
}

impl Field {
    /// The field `name` of Rust type `T`, optional when `T` is an `Option`.
    pub fn of<T: OrkType + ?Sized>(name: &str) -> Field {
        Field { name: name.trim_start_matches("r#").to_string(), ty: T::ork_type(), optional: T::OPTIONAL_FIELD }
    }
}

impl Type {
    /// A named object type, e.g. `Type::object("Order", vec![Field::of::<i64>("id")])`.
    pub fn object(name: &str, fields: Vec<Field>) -> Type {
        Type::Object { name: Some(name.to_string()), fields }
    }

    /// An anonymous object type `{a: T, ...}`.
    pub fn anonymous_object(fields: Vec<Field>) -> Type {
        Type::Object { name: None, fields }
    }

    /// `A | B | ...`, nested unions flattened and duplicates dropped; a union
    /// with `Any` in it is `Any`, and one member left is that member.
    pub fn union(members: Vec<Type>) -> Type {
        let mut flat: Vec<Type> = Vec::new();
        for member in members {
            let parts = match member {
                Type::Union(inner) => inner,
                other => vec![other],
            };
            for part in parts {
                if part == Type::Any {
                    return Type::Any;
                }
                if !flat.contains(&part) {
                    flat.push(part);
                }
            }
        }
        match flat.len() {
            0 => Type::Any,
            1 => flat.remove(0),
            _ => Type::Union(flat),
        }
    }

    /// `T | None`.
    pub fn optional(inner: Type) -> Type {
        Type::union(vec![inner, Type::Null])
    }

    /// The type in ork's syntax, objects written structurally
    /// (`list[{id: int, note?: str}]`): inside a composite type there is no
    /// place for an object's name.
    pub fn to_syntax(&self) -> String {
        match self {
            Type::Any => "Any".into(),
            Type::Null => "null".into(),
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Str => "str".into(),
            Type::Date => "date".into(),
            Type::DateTime => "datetime".into(),
            Type::List(item) => format!("list[{}]", item.to_syntax()),
            Type::Dict(value) => format!("dict[str, {}]", value.to_syntax()),
            Type::Tuple(items) => {
                format!("tuple[{}]", items.iter().map(Type::to_syntax).collect::<Vec<_>>().join(", "))
            }
            Type::Union(members) => union_syntax(members),
            Type::Object { fields, .. } => {
                let fields: Vec<String> =
                    fields.iter().map(|field| format!("{}: {}", field_key(field), field.ty.to_syntax())).collect();
                format!("{{{}}}", fields.join(", "))
            }
        }
    }

    /// The type as signature JSON: a string in ork's syntax, except that an
    /// object is a JSON object — `{"$name": "Order", "fields": {...}}` when
    /// named, `{field: TYPE, ...}` when anonymous.
    pub fn to_json(&self) -> Value {
        match self {
            Type::Object { name, fields } => {
                let fields: Map<String, Value> =
                    fields.iter().map(|field| (field_key(field), field.ty.to_json())).collect();
                match name {
                    Some(name) => {
                        let mut named = Map::new();
                        named.insert("$name".into(), Value::String(name.clone()));
                        named.insert("fields".into(), Value::Object(fields));
                        Value::Object(named)
                    }
                    None => Value::Object(fields),
                }
            }
            other => Value::String(other.to_syntax()),
        }
    }
}

fn union_syntax(members: &[Type]) -> String {
    // ork writes the optional part last and as `None`: `int | str | None`.
    let mut parts: Vec<String> = members.iter().filter(|m| **m != Type::Null).map(Type::to_syntax).collect();
    if members.contains(&Type::Null) {
        parts.push("None".into());
    }
    parts.join(" | ")
}

fn field_key(field: &Field) -> String {
    if field.optional {
        format!("{}?", field.name)
    } else {
        field.name.clone()
    }
}

macro_rules! ork_type_is {
    ($ty:expr => $($rust:ty),+) => {
        $(impl OrkType for $rust {
            fn ork_type() -> Type {
                $ty
            }
        })+
    };
}

ork_type_is!(Type::Int => i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
ork_type_is!(Type::Float => f32, f64);
ork_type_is!(Type::Bool => bool);
ork_type_is!(Type::Str => String, str, char);
ork_type_is!(Type::Null => ());
ork_type_is!(Type::Any => Value);
ork_type_is!(Type::Dict(Box::new(Type::Any)) => Map<String, Value>);

impl<T: OrkType> OrkType for Option<T> {
    fn ork_type() -> Type {
        Type::optional(T::ork_type())
    }
    const OPTIONAL_FIELD: bool = true;
}

macro_rules! ork_type_of_sequence {
    ($($sequence:ident),+) => {
        $(impl<T: OrkType> OrkType for $sequence<T> {
            fn ork_type() -> Type {
                Type::List(Box::new(T::ork_type()))
            }
        })+
    };
}

ork_type_of_sequence!(Vec, VecDeque, LinkedList, BTreeSet);

impl<T: OrkType, S> OrkType for HashSet<T, S> {
    fn ork_type() -> Type {
        Type::List(Box::new(T::ork_type()))
    }
}

impl<T: OrkType> OrkType for [T] {
    fn ork_type() -> Type {
        Type::List(Box::new(T::ork_type()))
    }
}

impl<T: OrkType, const N: usize> OrkType for [T; N] {
    fn ork_type() -> Type {
        Type::List(Box::new(T::ork_type()))
    }
}

impl<T: OrkType, S> OrkType for HashMap<String, T, S> {
    fn ork_type() -> Type {
        Type::Dict(Box::new(T::ork_type()))
    }
}

impl<T: OrkType> OrkType for BTreeMap<String, T> {
    fn ork_type() -> Type {
        Type::Dict(Box::new(T::ork_type()))
    }
}

macro_rules! ork_type_of_pointer {
    ($($pointer:ident),+) => {
        $(impl<T: OrkType + ?Sized> OrkType for $pointer<T> {
            fn ork_type() -> Type {
                T::ork_type()
            }
            const OPTIONAL_FIELD: bool = T::OPTIONAL_FIELD;
        })+
    };
}

ork_type_of_pointer!(Box, Rc, Arc);

macro_rules! ork_type_of_tuple {
    ($(($($item:ident),+)),+) => {
        $(impl<$($item: OrkType),+> OrkType for ($($item,)+) {
            fn ork_type() -> Type {
                Type::Tuple(vec![$($item::ork_type()),+])
            }
        })+
    };
}

ork_type_of_tuple!((A), (A, B), (A, B, C), (A, B, C, D), (A, B, C, D, E));

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax<T: OrkType + ?Sized>() -> String {
        T::ork_type().to_syntax()
    }

    #[test]
    fn primitives_map_to_ork_names() {
        assert_eq!(syntax::<i64>(), "int");
        assert_eq!(syntax::<u8>(), "int");
        assert_eq!(syntax::<f32>(), "float");
        assert_eq!(syntax::<bool>(), "bool");
        assert_eq!(syntax::<String>(), "str");
        assert_eq!(syntax::<str>(), "str");
        assert_eq!(syntax::<()>(), "null");
        assert_eq!(syntax::<Value>(), "Any");
    }

    #[test]
    fn containers_nest() {
        assert_eq!(syntax::<Vec<Option<i64>>>(), "list[int | None]");
        assert_eq!(syntax::<HashMap<String, Vec<f64>>>(), "dict[str, list[float]]");
        assert_eq!(syntax::<BTreeMap<String, Value>>(), "dict[str, Any]");
        assert_eq!(syntax::<Option<Vec<String>>>(), "list[str] | None");
        assert_eq!(syntax::<(i64, String)>(), "tuple[int, str]");
        assert_eq!(syntax::<[u8; 4]>(), "list[int]");
        assert_eq!(syntax::<Box<Option<bool>>>(), "bool | None");
        assert_eq!(syntax::<Map<String, Value>>(), "dict[str, Any]");
    }

    #[test]
    fn option_of_option_is_one_optional() {
        assert_eq!(syntax::<Option<Option<i64>>>(), "int | None");
    }

    #[test]
    fn unions_flatten_and_put_none_last() {
        let union = Type::union(vec![Type::Null, Type::Int, Type::union(vec![Type::Str, Type::Int])]);
        assert_eq!(union.to_syntax(), "int | str | None");
        assert_eq!(Type::union(vec![Type::Int, Type::Any]), Type::Any);
        assert_eq!(Type::union(vec![Type::Int, Type::Int]), Type::Int);
    }

    #[test]
    fn objects_render_structurally_in_syntax_and_named_in_json() {
        let order = Type::object("Order", vec![Field::of::<i64>("id"), Field::of::<Option<String>>("r#note")]);
        assert_eq!(order.to_syntax(), "{id: int, note?: str | None}");
        assert_eq!(order.to_json().to_string(), r#"{"$name":"Order","fields":{"id":"int","note?":"str | None"}}"#);
        let anonymous = Type::anonymous_object(vec![Field::of::<Vec<i64>>("values")]);
        assert_eq!(anonymous.to_json().to_string(), r#"{"values":"list[int]"}"#);
        assert_eq!(Type::List(Box::new(order)).to_json().to_string(), r#""list[{id: int, note?: str | None}]""#);
    }
}
