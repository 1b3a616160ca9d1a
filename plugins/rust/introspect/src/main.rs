//! ork-rust-introspect: reads one function's signature from a Rust task file
//! for ork's rust language plugin (plugins/rust). Usage:
//!
//!     ork-rust-introspect FILE FUNCTION [SHOWN-AS]
//!
//! (SHOWN-AS: how messages name the file, e.g. as the workflow wrote it.)
//!
//! It prints one JSON object on stdout and exits 0, whatever it found:
//!
//! * `{"signature": {"inputs": .., "output": .., "defaults": [..],
//!    "whole_input": null}, "params": [{"name": "x", "borrowed": false,
//!    "whole": false}], "result": false,
//!    "mods": ["/abs/helpers.rs"]}` — the signature in ork's type JSON, how
//!   the generated wrapper passes each parameter (`borrowed`: `&str`; `whole`:
//!   the only parameter, a struct, may receive the whole input object), whether
//!   the function returns `Result<T, E>`, and the files of the `mod x;`
//!   declarations (they belong to the task's build cache key);
//! * `{"errors": [{"key": "file", "line": 3, "col": 14, "message": ".."}]}` —
//!   why the function cannot be a task, at its line and (1-based) column; key
//!   "function" (line 0) for a function that does not exist.
//!
//! The source is only parsed (syn), never compiled: the plugin's prepare step
//! compiles it. Valid for rustc 1.63 (Debian 12): no let-else, no OnceLock.

mod types;

use std::path::{Path, PathBuf};

use proc_macro2::Span;
use serde_json::{json, Map, Value};
use syn::spanned::Spanned;

use types::{display, Need, Problem, TypeMapper};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 && args.len() != 4 {
        eprintln!("usage: ork-rust-introspect FILE FUNCTION [SHOWN-AS]");
        std::process::exit(64);
    }
    let shown = args.get(3).unwrap_or(&args[1]);
    let answer = match introspect(Path::new(&args[1]), &args[2], shown) {
        Ok(found) => found,
        Err(problems) => json!({ "errors": problems.iter().map(Problem::to_json).collect::<Vec<Value>>() }),
    };
    println!("{}", answer);
}

fn introspect(path: &Path, function: &str, shown: &str) -> Result<Value, Vec<Problem>> {
    let source = std::fs::read_to_string(path)
        .map_err(|error| vec![Problem::file_level(format!("cannot read the file: {}", error))])?;
    let file = syn::parse_file(&source).map_err(|error| vec![syntax_problem(&error)])?;
    let item = find_function(&file, function, shown)?;
    let mapper = TypeMapper::new(&file);
    let mut problems = Vec::new();
    check_shape(item, &mut problems);
    let mut inputs = Map::new();
    let mut defaults = Vec::new();
    let mut params = Vec::new();
    // The whole-input form: an only parameter of struct type, when not bound
    // by name, receives the whole input object (as in Python).
    let mut whole_input = Value::Null;
    let only = item.sig.inputs.len() == 1;
    for arg in &item.sig.inputs {
        match parameter(&mapper, function, arg) {
            Ok((name, ty, borrowed)) => {
                if ty.is_optional() {
                    defaults.push(Value::String(name.clone()));
                }
                let whole = only && ty.is_object();
                if whole {
                    whole_input = Value::String(name.clone());
                }
                inputs.insert(name.clone(), ty.to_json());
                params.push(json!({ "name": name, "borrowed": borrowed, "whole": whole }));
            }
            Err(problem) => problems.push(problem),
        }
    }
    let output = output_type(&mapper, function, &item.sig);
    if !problems.is_empty() || output.is_err() {
        problems.extend(output.err());
        return Err(problems);
    }
    let (output, result) = output.unwrap_or_else(|_| unreachable!());
    Ok(json!({
        "signature": { "inputs": inputs, "output": output.to_json(), "defaults": defaults, "whole_input": whole_input },
        "params": params,
        "result": result,
        "mods": module_files(&file, path),
    }))
}

fn syntax_problem(error: &syn::Error) -> Problem {
    let start = error.span().start();
    // A lexing error may come without a position (line 0): point at the start.
    let (line, col) = if start.line == 0 { (1, 1) } else { (start.line, start.column + 1) };
    let text = error.to_string();
    // proc-macro2's lexer says only "lex error": name what it trips on.
    let message = if text == "lex error" {
        "syntax error: unbalanced (), [] or {}, or an unterminated string or comment".to_string()
    } else {
        format!("syntax error: {}", text)
    };
    Problem { key: "file", line, col, message }
}

fn find_function<'a>(file: &'a syn::File, function: &str, shown: &str) -> Result<&'a syn::ItemFn, Vec<Problem>> {
    let mut names = Vec::new();
    for item in &file.items {
        if let syn::Item::Fn(candidate) = item {
            if candidate.sig.ident == function {
                return Ok(candidate);
            }
            names.push(candidate.sig.ident.to_string());
        }
    }
    if let Some((owner, span)) = method_named(file, function) {
        return Err(vec![Problem::at(
            span,
            format!(
                "'{}' is a method of {}: ork calls free functions; write a top-level 'pub fn {}(..)' that calls it",
                function, owner, function
            ),
        )]);
    }
    Err(vec![Problem::function_level(missing_function_message(function, shown, &names))])
}

fn method_named(file: &syn::File, function: &str) -> Option<(String, Span)> {
    for item in &file.items {
        if let syn::Item::Impl(block) = item {
            for member in &block.items {
                if let syn::ImplItem::Method(method) = member {
                    if method.sig.ident == function {
                        return Some((display(&block.self_ty), method.sig.ident.span()));
                    }
                }
            }
        }
    }
    None
}

fn missing_function_message(function: &str, shown: &str, names: &[String]) -> String {
    let mut message = format!("no function '{}' in {}", function, shown);
    let closest = names.iter().map(|name| (edit_distance(function, name), name)).min();
    if let Some((distance, name)) = closest {
        if distance <= 2 {
            message.push_str(&format!(" (did you mean '{}'?)", name));
        }
    }
    if names.is_empty() {
        message.push_str("; it declares no top-level functions");
    } else {
        message.push_str(&format!("; functions: {}", names.join(", ")));
    }
    message
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb { previous } else { 1 + previous.min(row[j]).min(row[j + 1]) };
            previous = current;
        }
    }
    row[b.len()]
}

// What makes a function impossible to call from the generated wrapper,
// whatever its types: privacy, async, generics, unsafe.
fn check_shape(item: &syn::ItemFn, problems: &mut Vec<Problem>) {
    let name = &item.sig.ident;
    if let syn::Visibility::Inherited = item.vis {
        problems.push(Problem::at(
            name.span(),
            format!(
                "function '{}' is not public: write 'pub fn {}' (ork's generated wrapper calls it from outside the task's module)",
                name, name
            ),
        ));
    }
    if let Some(token) = &item.sig.asyncness {
        problems.push(Problem::at(
            token.span(),
            format!("function '{}' is async: ork calls Rust tasks synchronously; make it a plain 'pub fn'", name),
        ));
    }
    if let Some(token) = &item.sig.unsafety {
        problems.push(Problem::at(
            token.span(),
            format!("function '{}' is unsafe: ork calls it as a safe function; remove 'unsafe' from its signature", name),
        ));
    }
    for param in &item.sig.generics.params {
        if let syn::GenericParam::Lifetime(_) = param {
            continue;
        }
        problems.push(Problem::at(
            param.span(),
            format!(
                "function '{}' is generic ({}): ork calls it with concrete types; write them out instead of type parameters",
                name,
                display(param)
            ),
        ));
    }
    if let Some(variadic) = &item.sig.variadic {
        problems.push(Problem::at(variadic.span(), format!("function '{}' is variadic: ork cannot call it", name)));
    }
}

// One parameter: its name, its type and whether the wrapper passes a borrow.
fn parameter(mapper: &TypeMapper, function: &str, arg: &syn::FnArg) -> Result<(String, types::OrkType, bool), Problem> {
    let typed = match arg {
        syn::FnArg::Receiver(receiver) => {
            return Err(Problem::at(
                receiver.span(),
                format!("function '{}' takes self: ork calls free functions; take every input as a named parameter", function),
            ))
        }
        syn::FnArg::Typed(typed) => typed,
    };
    let name = match &*typed.pat {
        syn::Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => types::field_name(&ident.ident),
        other => {
            return Err(Problem::at(
                other.span(),
                format!(
                    "function '{}' parameter '{}' is a pattern: ork binds inputs by parameter name; use a plain name",
                    function,
                    display(other)
                ),
            ))
        }
    };
    let context = format!("function '{}' parameter '{}'", function, name);
    if let syn::Type::Reference(reference) = &*typed.ty {
        if reference.mutability.is_none() && is_str(&reference.elem) {
            return Ok((name, types::OrkType::Str, true));
        }
        return Err(Problem::at(
            reference.span(),
            format!(
                "{}: type '{}' is not supported: take it by value ('{}'); only '&str' may be borrowed",
                context,
                display(&typed.ty),
                display(&reference.elem)
            ),
        ));
    }
    let ty = mapper.map(&typed.ty, Need::Deserialize, &context)?;
    Ok((name, ty, false))
}

fn is_str(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.qself.is_none() && path.path.is_ident("str"))
}

// The output type, and whether the function returns Result<T, E> (T is the output).
fn output_type(mapper: &TypeMapper, function: &str, sig: &syn::Signature) -> Result<(types::OrkType, bool), Problem> {
    let ty = match &sig.output {
        syn::ReturnType::Default => {
            return Err(Problem::at(
                sig.paren_token.span,
                format!(
                    "function '{}' has no return type: a task's return value is its output; add one, e.g. '-> Scored' (a struct deriving Serialize) or '-> Result<Scored, String>', or '-> ()' if it returns nothing",
                    function
                ),
            ))
        }
        syn::ReturnType::Type(_, ty) => ty,
    };
    let context = format!("function '{}' return type", function);
    if let Some(ok) = result_ok_type(ty) {
        return Ok((mapper.map(ok, Need::Serialize, &context)?, true));
    }
    Ok((mapper.map(ty, Need::Serialize, &context)?, false))
}

fn result_ok_type(ty: &syn::Type) -> Option<&syn::Type> {
    let path = match ty {
        syn::Type::Path(path) if path.qself.is_none() => path,
        _ => return None,
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 2 => match &args.args[0] {
            syn::GenericArgument::Type(ok) => Some(ok),
            _ => None,
        },
        _ => None,
    }
}

// The files of `mod x;` declarations, resolved as rustc does for a file
// included with #[path] (x.rs or x/mod.rs beside it, or the mod's own #[path]).
fn module_files(file: &syn::File, path: &Path) -> Vec<String> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut files = Vec::new();
    for item in &file.items {
        if let syn::Item::Mod(module) = item {
            if module.content.is_some() {
                continue;
            }
            let candidates: Vec<PathBuf> = match path_attribute(&module.attrs) {
                Some(explicit) => vec![dir.join(explicit)],
                None => {
                    let name = module.ident.to_string();
                    vec![dir.join(format!("{}.rs", name)), dir.join(&name).join("mod.rs")]
                }
            };
            if let Some(found) = candidates.into_iter().find(|candidate| candidate.is_file()) {
                files.push(found.to_string_lossy().into_owned());
            }
        }
    }
    files
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    for attr in attrs {
        if attr.path.is_ident("path") {
            if let Ok(syn::Meta::NameValue(value)) = attr.parse_meta() {
                if let syn::Lit::Str(text) = value.lit {
                    return Some(text.value());
                }
            }
        }
    }
    None
}
