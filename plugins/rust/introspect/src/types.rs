//! Rust types → ork types. The mapping is strict on purpose, like the Python
//! plugin's: a type ork cannot describe exactly (i128, char, sets, enums,
//! structs from other crates, generic structs) is refused at its position in
//! the source rather than typed `Any`, so every edge into and out of a Rust
//! task is checked at compile time.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::ToTokens;
use serde_json::{json, Map, Value};
use syn::spanned::Spanned;

/// Why a function cannot be a task, at a position of the task's source
/// (line 1-based, col 1-based; line 0: no position).
pub struct Problem {
    pub key: &'static str,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Problem {
    pub fn at(span: Span, message: String) -> Problem {
        let start = span.start();
        Problem { key: "file", line: start.line, col: start.column + 1, message }
    }

    pub fn file_level(message: String) -> Problem {
        Problem { key: "file", line: 0, col: 0, message }
    }

    pub fn function_level(message: String) -> Problem {
        Problem { key: "function", line: 0, col: 0, message }
    }

    pub fn to_json(&self) -> Value {
        json!({ "key": self.key, "line": self.line, "col": self.col, "message": self.message })
    }
}

/// What serde must be able to do with a struct: read it (an input) or write
/// it (the output).
#[derive(Clone, Copy, PartialEq)]
pub enum Need {
    Deserialize,
    Serialize,
}

impl Need {
    fn derive(self) -> &'static str {
        match self {
            Need::Deserialize => "Deserialize",
            Need::Serialize => "Serialize",
        }
    }
}

/// A type in ork's type language.
pub enum OrkType {
    Int,
    Float,
    Str,
    Bool,
    Null,
    Any,
    List(Box<OrkType>),
    Dict(Box<OrkType>),
    Optional(Box<OrkType>),
    Tuple(Vec<OrkType>),
    Object { name: String, fields: Vec<(String, bool, OrkType)> },
}

impl OrkType {
    pub fn is_optional(&self) -> bool {
        matches!(self, OrkType::Optional(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, OrkType::Object { .. })
    }

    /// ork's type JSON: a named object type as {"$name", "fields"}, anything
    /// else as its text (objects inside containers in their structural form).
    pub fn to_json(&self) -> Value {
        match self {
            OrkType::Object { name, fields } => {
                let mut map = Map::new();
                for (field, optional, ty) in fields {
                    let key = if *optional { format!("{}?", field) } else { field.clone() };
                    map.insert(key, ty.to_json());
                }
                json!({ "$name": name, "fields": map })
            }
            other => Value::String(other.text()),
        }
    }

    fn text(&self) -> String {
        match self {
            OrkType::Int => "int".into(),
            OrkType::Float => "float".into(),
            OrkType::Str => "str".into(),
            OrkType::Bool => "bool".into(),
            OrkType::Null => "null".into(),
            OrkType::Any => "Any".into(),
            OrkType::List(item) => format!("list[{}]", item.text()),
            OrkType::Dict(value) => format!("dict[str, {}]", value.text()),
            OrkType::Optional(inner) => format!("{} | None", inner.text()),
            OrkType::Tuple(items) => {
                format!("tuple[{}]", items.iter().map(OrkType::text).collect::<Vec<String>>().join(", "))
            }
            OrkType::Object { fields, .. } => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(name, optional, ty)| format!("{}{}: {}", name, if *optional { "?" } else { "" }, ty.text()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }
}

/// Maps the types of one task file; knows the structs it declares.
pub struct TypeMapper<'a> {
    structs: HashMap<String, &'a syn::ItemStruct>,
}

impl<'a> TypeMapper<'a> {
    pub fn new(file: &'a syn::File) -> TypeMapper<'a> {
        let mut structs = HashMap::new();
        for item in &file.items {
            if let syn::Item::Struct(item) = item {
                structs.insert(item.ident.to_string(), item);
            }
        }
        TypeMapper { structs }
    }

    /// The ork type of `ty`; `context` names what it types in messages
    /// ("function 'f' parameter 'x'").
    pub fn map(&self, ty: &syn::Type, need: Need, context: &str) -> Result<OrkType, Problem> {
        let mut enclosing = Vec::new();
        self.map_in(ty, need, context, &mut enclosing)
    }

    fn map_in(&self, ty: &syn::Type, need: Need, context: &str, enclosing: &mut Vec<String>) -> Result<OrkType, Problem> {
        match ty {
            syn::Type::Paren(inner) => self.map_in(&inner.elem, need, context, enclosing),
            syn::Type::Group(inner) => self.map_in(&inner.elem, need, context, enclosing),
            syn::Type::Tuple(tuple) if tuple.elems.is_empty() => Ok(OrkType::Null),
            syn::Type::Tuple(tuple) => {
                let items: Result<Vec<OrkType>, Problem> =
                    tuple.elems.iter().map(|item| self.map_in(item, need, context, enclosing)).collect();
                Ok(OrkType::Tuple(items?))
            }
            syn::Type::Path(path) if path.qself.is_none() => self.map_path(ty, &path.path, need, context, enclosing),
            syn::Type::Infer(_) | syn::Type::ImplTrait(_) => Err(Problem::at(
                ty.span(),
                format!("{}: type '{}' does not say what ork passes: write the concrete type", context, display(ty)),
            )),
            _ => Err(unsupported(ty, context, "")),
        }
    }

    fn map_path(
        &self,
        ty: &syn::Type,
        path: &syn::Path,
        need: Need,
        context: &str,
        enclosing: &mut Vec<String>,
    ) -> Result<OrkType, Problem> {
        let last = match path.segments.last() {
            Some(last) => last,
            None => return Err(unsupported(ty, context, "")),
        };
        let name = last.ident.to_string();
        let args = type_arguments(&last.arguments);
        let bare = args.is_empty() && matches!(last.arguments, syn::PathArguments::None);
        match (name.as_str(), args.len()) {
            ("i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize", 0) if bare => Ok(OrkType::Int),
            ("f32" | "f64", 0) if bare => Ok(OrkType::Float),
            ("bool", 0) if bare => Ok(OrkType::Bool),
            ("String", 0) if bare => Ok(OrkType::Str),
            ("i128" | "u128", 0) if bare => Err(unsupported(ty, context, ": ork's integers are 64-bit; use i64 or u64")),
            ("Value", 0) if bare && path.segments.len() == 2 && path.segments[0].ident == "serde_json" => Ok(OrkType::Any),
            ("Vec", 1) => Ok(OrkType::List(Box::new(self.map_in(args[0], need, context, enclosing)?))),
            ("Option", 1) => match self.map_in(args[0], need, context, enclosing)? {
                OrkType::Optional(inner) => Ok(OrkType::Optional(inner)),
                inner => Ok(OrkType::Optional(Box::new(inner))),
            },
            ("HashMap" | "BTreeMap", 2) => {
                if !is_string(args[0]) {
                    return Err(Problem::at(
                        args[0].span(),
                        format!(
                            "{}: type '{}' is not supported: map keys must be String (JSON object keys are strings), not '{}'",
                            context,
                            display(ty),
                            display(args[0])
                        ),
                    ));
                }
                Ok(OrkType::Dict(Box::new(self.map_in(args[1], need, context, enclosing)?)))
            }
            _ if bare && path.segments.len() == 1 && self.structs.contains_key(&name) => {
                self.map_struct(ty, &name, need, context, enclosing)
            }
            _ => Err(unsupported(
                ty,
                context,
                " (ork reads integers, f32/f64, String, bool, Vec<T>, Option<T>, HashMap/BTreeMap<String, T>, tuples, serde_json::Value, and structs with named fields declared in the task file)",
            )),
        }
    }

    fn map_struct(
        &self,
        ty: &syn::Type,
        name: &str,
        need: Need,
        context: &str,
        enclosing: &mut Vec<String>,
    ) -> Result<OrkType, Problem> {
        let item = self.structs[name];
        if enclosing.iter().any(|outer| outer == name) {
            return Err(Problem::at(
                ty.span(),
                format!("{}: struct '{}' contains itself: ork's types cannot be recursive", context, name),
            ));
        }
        if !item.generics.params.is_empty() {
            return Err(Problem::at(
                item.generics.span(),
                format!("{}: struct '{}' is generic: ork reads structs with concrete field types only", context, name),
            ));
        }
        if !derives(&item.attrs, need.derive()) {
            return Err(Problem::at(
                item.ident.span(),
                format!(
                    "{}: struct '{}' does not derive {}: add #[derive(serde::{})] (ork passes values as JSON through serde)",
                    context,
                    name,
                    need.derive(),
                    need.derive()
                ),
            ));
        }
        if let Some(attr) = item.attrs.iter().find(|attr| attr.path.is_ident("serde")) {
            return Err(serde_attribute(attr, context));
        }
        let named = match &item.fields {
            syn::Fields::Named(named) => named,
            _ => {
                return Err(Problem::at(
                    item.ident.span(),
                    format!(
                        "{}: struct '{}' has no named fields: ork objects are structs with named fields, e.g. 'struct {} {{ id: i64 }}'",
                        context, name, name
                    ),
                ))
            }
        };
        enclosing.push(name.to_string());
        let mut fields = Vec::new();
        for field in &named.named {
            let field_name = field_name(field.ident.as_ref().expect("named fields have names"));
            let field_context = format!("{} (field '{}' of struct '{}')", context, field_name, name);
            let mut defaulted = false;
            for attr in field.attrs.iter().filter(|attr| attr.path.is_ident("serde")) {
                if is_serde_default(attr) {
                    defaulted = true;
                } else {
                    return Err(serde_attribute(attr, &field_context));
                }
            }
            let field_type = self.map_in(&field.ty, need, &field_context, enclosing)?;
            // serde fills a missing Option field with None, a #[serde(default)] one with its default.
            let optional = defaulted || field_type.is_optional();
            fields.push((field_name, optional, field_type));
        }
        enclosing.pop();
        Ok(OrkType::Object { name: name.to_string(), fields })
    }
}

/// A parameter's or field's name as ork sees it (`r#type` is `type`).
pub fn field_name(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_string).unwrap_or(text)
}

/// Source text of a syntax node, with the token spacing of quote removed.
pub fn display<T: ToTokens>(node: &T) -> String {
    let mut text = node.to_token_stream().to_string();
    for (from, to) in [(" <", "<"), ("< ", "<"), (" >", ">"), (" ,", ","), (" ::", "::"), (":: ", "::"), ("& ", "&"), ("' ", "'"), (" : ", ": ")] {
        text = text.replace(from, to);
    }
    text
}

fn unsupported(ty: &syn::Type, context: &str, hint: &str) -> Problem {
    Problem::at(ty.span(), format!("{}: type '{}' is not supported{}", context, display(ty), hint))
}

fn serde_attribute(attr: &syn::Attribute, context: &str) -> Problem {
    Problem::at(
        attr.span(),
        format!(
            "{}: '{}' is not read by ork, so the signature would not match the JSON: remove it (only #[serde(default)] on a field is understood)",
            context,
            display(attr)
        ),
    )
}

fn type_arguments(arguments: &syn::PathArguments) -> Vec<&syn::Type> {
    match arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn is_string(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().map(|last| last.ident == "String").unwrap_or(false)
        }
        _ => false,
    }
}

fn derives(attrs: &[syn::Attribute], wanted: &str) -> bool {
    attrs.iter().filter(|attr| attr.path.is_ident("derive")).any(|attr| match attr.parse_meta() {
        Ok(syn::Meta::List(list)) => list.nested.iter().any(|nested| match nested {
            syn::NestedMeta::Meta(syn::Meta::Path(path)) => {
                path.segments.last().map(|last| last.ident == wanted).unwrap_or(false)
            }
            _ => false,
        }),
        _ => false,
    })
}

fn is_serde_default(attr: &syn::Attribute) -> bool {
    match attr.parse_meta() {
        Ok(syn::Meta::List(list)) => {
            list.nested.len() == 1
                && matches!(&list.nested[0], syn::NestedMeta::Meta(syn::Meta::Path(path)) if path.is_ident("default"))
        }
        _ => false,
    }
}
