// Exports the rust language plugin as this shared object's plugin.
#include <ork/plugin.hpp>

#include "rust_language.hpp"

ORK_LANGUAGE_PLUGIN(ork::plugins::rust::RustLanguage, "rust", ORK_RUST_PLUGIN_VERSION,
                    "Plain typed Rust functions as tasks: signatures read from the source, built with cargo, run by "
                    "the library executor")
