// Exports the C++ language as this shared object's plugin.
#include <ork/plugin.hpp>

#include "cpp_language.hpp"

ORK_LANGUAGE_PLUGIN(ork::plugins::cpp::CppLanguage, "cpp", ork::plugins::cpp::plugin_version,
                    "Plain C++ functions as tasks: signatures from the source, built with g++, run by the library "
                    "executor")
