#include "task_build.hpp"

#include <openssl/evp.h>
#include <ork_executor/build_files.hpp>

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace ork::plugins::cpp {
namespace {

const std::vector<std::string> compile_flags = {"-std=c++20", "-O2", "-fPIC", "-shared", "-fvisibility=hidden",
                                                "-g0", "-w", "-fdiagnostics-color=never"};
constexpr const char* supported_types =
    "use bool, an integer type (int, long, std::int64_t...), double or float, std::string, std::vector<T>, "
    "std::optional<T>, std::map<std::string, T> or std::unordered_map<std::string, T>, boost::json::value (Any), "
    "or a struct described with BOOST_DESCRIBE_STRUCT whose fields have these types";

class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL cannot start a SHA-256");
    }
  }
  void add(std::string_view text) {
    std::string length = std::to_string(text.size()) + ":";  // framed: "ab"+"c" differs from "a"+"bc"
    EVP_DigestUpdate(context_.get(), length.data(), length.size());
    EVP_DigestUpdate(context_.get(), text.data(), text.size());
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_.get(), digest, &size);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);
void hash_sources(Sha256& hash, const std::filesystem::path& file, std::set<std::filesystem::path>& seen);
std::vector<SourceProblem> compile_problems(const std::string& errors, const TaskSource& source,
                                            const FunctionInfo& function, const std::filesystem::path& wrapper);
std::string at(const TaskSource& source, Position where);
std::filesystem::path make_temp_dir(const std::filesystem::path& build_dir, const std::string& key);
std::string sigprint_source(const std::string& symbol);
std::string include_path(const std::filesystem::path& path);

}  // namespace

BuildKey build_key(const Toolchain& toolchain, const TaskSource& source, std::string_view plugin_version) {
  Sha256 hash;
  hash.add(plugin_version);
  hash.add(toolchain.compiler ? toolchain.compiler->version_line : "");
  hash.add(toolchain.clang ? toolchain.clang->version_line : "");
  for (const std::string& flag : compile_flags) hash.add(flag);
  hash.add(source.function);
  for (const std::string& dir : toolchain.include_dirs) {
    hash.add(dir);
    for (const char* header : {"ork/task_types.hpp", "ork/task_library.hpp", "ork/task.h"}) {
      hash.add(read_text(std::filesystem::path(dir) / header));
    }
  }
  std::set<std::filesystem::path> seen;
  hash.add(source.path.string());
  hash_sources(hash, source.path, seen);
  return BuildKey{hash.hex().substr(0, 32), std::vector<std::filesystem::path>(seen.begin(), seen.end())};
}

std::string task_symbol(const std::string& function) {
  std::string symbol = "ork_task_";
  for (char c : function) symbol += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return symbol;
}

BuildResult build_task(const Toolchain& toolchain, const TaskSource& source, const FunctionInfo& function,
                       const std::filesystem::path& build_dir, const std::string& key) {
  BuildResult result;
  std::filesystem::path final_dir = build_dir / key;
  std::filesystem::path temp = make_temp_dir(build_dir, key);
  std::error_code ec;
  std::string symbol = task_symbol(source.function);
  write_text(temp / "wrapper.cpp", generate_wrapper(source, function));
  write_text(temp / "signature_main.cpp", sigprint_source(symbol));
  std::vector<std::string> argv = {toolchain.compiler->path};
  argv.insert(argv.end(), compile_flags.begin(), compile_flags.end());
  for (const std::string& dir : toolchain.include_dirs) argv.push_back("-I" + dir);
  for (std::string arg : {"-o", library_name, "wrapper.cpp", "-lboost_json"}) {
    argv.push_back(arg == library_name || arg == "wrapper.cpp" ? (temp / arg).string() : arg);
  }
  CommandResult compiled = run_command(argv, temp, std::chrono::seconds(600));
  if (compiled.exit_code != 0) {
    result.problems = compile_problems(compiled.err, source, function, temp / "wrapper.cpp");
    std::filesystem::remove_all(temp, ec);
    return result;
  }
  CommandResult linked = run_command({toolchain.compiler->path, "-o", (temp / "signature").string(),
                                      (temp / "signature_main.cpp").string(), (temp / library_name).string(),
                                      "-Wl,-rpath,$ORIGIN"},
                                     temp, std::chrono::seconds(300));
  // The signature is read in a child: the task's static initialisers run there, not in the host.
  CommandResult printed = linked.exit_code == 0
                              ? run_command({(temp / "signature").string()}, temp, std::chrono::seconds(60))
                              : linked;
  if (printed.exit_code != 0 || printed.out.empty()) {
    result.problems.push_back({"file", source.shown + ": the built task library could not report its signature (" +
                                           (printed.timed_out ? std::string("timed out") : "it failed") +
                                           "; a crash in a static initialiser?): " + printed.err.substr(0, 2000)});
    std::filesystem::remove_all(temp, ec);
    return result;
  }
  write_text(temp / signature_name, printed.out);
  std::filesystem::remove(temp / "stdout.txt", ec);
  std::filesystem::remove(temp / "stderr.txt", ec);
  if (::rename(temp.c_str(), final_dir.c_str()) != 0) {
    int error = errno;
    std::filesystem::remove_all(temp, ec);
    // Another prepare of the same key finished first: its build is as good.
    if ((error != EEXIST && error != ENOTEMPTY) || !std::filesystem::exists(final_dir / signature_name)) {
      throw std::system_error(error, std::generic_category(), "cannot move the build into " + final_dir.string());
    }
  }
  result.dir = final_dir;
  return result;
}

std::string generate_wrapper(const TaskSource& source, const FunctionInfo& function) {
  const std::size_t count = function.parameters.size();
  std::ostringstream out;
  out << "// Generated by ork's C++ language plugin for " << source.shown << ", function " << source.function
      << ". Do not edit.\n"
      << "#include <ork/task.hpp>\n\n#include <optional>\n#include <tuple>\n#include <type_traits>\n#include "
         "<utility>\n\n"
      << "#include \"" << include_path(source.path) << "\"\n\n"
      << "namespace ork_cpp_task {\n"
      << "template <typename F> struct fn;\n"
      << "template <typename R, typename... A> struct fn<R (*)(A...)> {\n"
      << "  using result = std::remove_cvref_t<R>;\n"
      << "  template <std::size_t I> using param = std::remove_cvref_t<std::tuple_element_t<I, std::tuple<A...>>>;\n"
      << "};\n"
      << "template <typename R, typename... A> struct fn<R (*)(A...) noexcept> : fn<R (*)(A...)> {};\n"
      << "using F = fn<decltype(&::" << function.qualified_name << ")>;\n"
      << "using R = F::result;\n"
      << "template <std::size_t I> using P = typename F::template param<I>;\n\n"
      << "template <typename T> constexpr bool supported();\n"
      << "template <typename T> constexpr bool fields_supported() {\n"
      << "  bool ok = true;\n"
      << "  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public | "
         "boost::describe::mod_inherited>>([&](auto member) {\n"
      << "    ok = ok && supported<::ork::sdk::detail::member_type_t<std::remove_const_t<decltype(member.pointer)>>>();\n"
      << "  });\n"
      << "  return ok;\n"
      << "}\n"
      << "template <typename T> constexpr bool supported() {\n"
      << "  using namespace ::ork::sdk::detail;\n"
      << "  if constexpr (std::is_same_v<T, boost::json::value> || std::is_same_v<T, bool> ||\n"
      << "                std::is_same_v<T, std::string>) return true;\n"
      << "  else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, wchar_t> || std::is_same_v<T, char8_t> ||\n"
      << "                     std::is_same_v<T, char16_t> || std::is_same_v<T, char32_t>) return false;\n"
      << "  else if constexpr (std::is_integral_v<T> || std::is_floating_point_v<T>) return true;\n"
      << "  else if constexpr (is_optional<T>::value || is_vector<T>::value) return supported<typename "
         "T::value_type>();\n"
      << "  else if constexpr (is_string_map<T>::value) return supported<typename T::mapped_type>();\n"
      << "  else if constexpr (is_described<T>) return fields_supported<T>();\n"
      << "  else return false;\n"
      << "}\n";
  for (std::size_t i = 0; i < count; ++i) {
    out << "static_assert(supported<P<" << i << ">>(), \"ORK-UNSUPPORTED " << i << "\");\n";
  }
  out << "static_assert([] {\n  if constexpr (std::is_void_v<R>) return true;\n  else return supported<R>();\n}(), "
         "\"ORK-UNSUPPORTED return\");\n\n";
  out << "struct Input {\n";
  for (std::size_t i = 0; i < count; ++i) {
    const Parameter& p = function.parameters[i];
    out << "  " << (p.has_default ? "std::optional<P<" + std::to_string(i) + ">>" : "P<" + std::to_string(i) + ">")
        << " " << p.name << ";\n";
  }
  out << "};\nBOOST_DESCRIBE_STRUCT(Input, (), (";
  for (std::size_t i = 0; i < count; ++i) out << (i ? ", " : "") << function.parameters[i].name;
  out << "))\n\n";
  // C++ fills default arguments from the right: the call stops at the first absent one.
  auto argument = [&](std::size_t i) {
    const Parameter& p = function.parameters[i];
    bool lvalue_ref = p.written_type.size() >= 1 && p.written_type.back() == '&' &&
                      !(p.written_type.size() >= 2 && p.written_type[p.written_type.size() - 2] == '&');
    std::string value = p.has_default ? "*in." + p.name : "in." + p.name;
    return lvalue_ref ? value : "std::move(" + value + ")";
  };
  auto call = [&](std::size_t n) {
    std::string text = "::" + function.qualified_name + "(";
    for (std::size_t i = 0; i < n; ++i) text += (i ? ", " : "") + argument(i);
    return text + ")";
  };
  out << "R call(Input& in) {\n";
  for (std::size_t i = 0; i < count; ++i) {
    const Parameter& p = function.parameters[i];
    if (!p.has_default) continue;
    out << "  if (!in." << p.name << ") {\n";
    for (std::size_t j = i + 1; j < count; ++j) {
      out << "    if (in." << function.parameters[j].name << ") throw ::ork::sdk::InputError(\"input '"
          << function.parameters[j].name << "' is given but '" << p.name
          << "' is not: C++ fills default arguments from the right, so give '" << p.name << "' too\");\n";
    }
    out << "    return " << call(i) << ";\n  }\n";
  }
  out << "  return " << call(count) << ";\n}\n\n";
  out << "std::string signature() {\n"
      << "  boost::json::object inputs;\n  boost::json::array defaults;\n";
  for (std::size_t i = 0; i < count; ++i) {
    const Parameter& p = function.parameters[i];
    out << "  inputs[\"" << p.name << "\"] = ::ork::sdk::type_of<P<" << i << ">>();\n";
    if (p.has_default) {
      out << "  defaults.emplace_back(\"" << p.name << "\");\n";
    } else {
      out << "  if (::ork::sdk::detail::is_optional<P<" << i << ">>::value) defaults.emplace_back(\"" << p.name
          << "\");\n";
    }
  }
  out << "  boost::json::object text;\n  text[\"inputs\"] = std::move(inputs);\n"
      << "  if constexpr (std::is_void_v<R>) text[\"output\"] = \"null\";\n"
      << "  else text[\"output\"] = ::ork::sdk::type_of<R>();\n"
      << "  if (!defaults.empty()) text[\"defaults\"] = std::move(defaults);\n"
      << "  return boost::json::serialize(text);\n}\n"
      << "}  // namespace ork_cpp_task\n\n";
  std::string symbol = task_symbol(source.function);
  out << "extern \"C\" ORK_TASK_EXPORT char* " << symbol << "(const char* input_json) noexcept {\n"
      << "  return ::ork::sdk::detail::library_call<&ork_cpp_task::call>(input_json);\n}\n"
      << "extern \"C\" ORK_TASK_EXPORT const char* " << symbol << "_signature(void) noexcept {\n"
      << "  try {\n    static const std::string text = ork_cpp_task::signature();\n    return text.c_str();\n"
      << "  } catch (...) {\n    return nullptr;\n  }\n}\n";
  return out.str();
}

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

// The file and, recursively, the local headers it names with #include "...".
void hash_sources(Sha256& hash, const std::filesystem::path& file, std::set<std::filesystem::path>& seen) {
  if (!seen.insert(file).second) return;
  std::string text = read_text(file);
  hash.add(text);
  static const std::regex include(R"re(^[ \t]*#[ \t]*include[ \t]*"([^"]+)")re", std::regex::multiline);
  for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it) {
    std::filesystem::path header = (file.parent_path() / (*it)[1].str()).lexically_normal();
    if (!std::filesystem::is_regular_file(header)) continue;  // the compiler says what is missing
    hash.add(header.string());
    hash_sources(hash, header, seen);
  }
}

std::vector<SourceProblem> compile_problems(const std::string& errors, const TaskSource& source,
                                            const FunctionInfo& function, const std::filesystem::path& wrapper) {
  std::vector<SourceProblem> problems;
  std::set<std::string> reported;
  static const std::regex marker(R"(static assertion failed: ORK-UNSUPPORTED (\d+|return))");
  for (std::sregex_iterator it(errors.begin(), errors.end(), marker), end; it != end; ++it) {
    std::string which = (*it)[1].str();
    if (!reported.insert(which).second) continue;
    std::string what = "function '" + source.function + "'";
    if (which == "return") {
      problems.push_back({"file", at(source, function.where) + what + " returns '" + function.written_return +
                                      "', which ork cannot type; " + supported_types});
    } else {
      const Parameter& p = function.parameters.at(std::stoul(which));
      problems.push_back({"file", at(source, p.where) + what + " parameter '" + p.name + "' has type '" +
                                      p.written_type + "', which ork cannot type; " + supported_types});
    }
  }
  if (!problems.empty()) return problems;
  std::string first = first_error(errors, source.path, source.shown);
  if (first.empty()) first = source.shown + ": g++ failed: " + errors.substr(0, 2000);
  if (first.rfind(wrapper.string(), 0) == 0) {
    first = source.shown + ": building the generated wrapper failed: " + first;
  }
  problems.push_back({"file", first});
  return problems;
}

std::string at(const TaskSource& source, Position where) {
  return source.shown + ":" + std::to_string(where.line) + ":" + std::to_string(where.col) + ": ";
}

std::filesystem::path make_temp_dir(const std::filesystem::path& build_dir, const std::string& key) {
  executor::sweep_abandoned_scratch(build_dir);
  std::string pattern = (build_dir / (".tmp-" + key + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "cannot create a build directory in " + build_dir.string());
  }
  return pattern;
}

// The path as the inside of an #include "...": backslashes and quotes escaped.
std::string include_path(const std::filesystem::path& path) {
  std::string out;
  for (char c : path.string()) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string sigprint_source(const std::string& symbol) {
  return "#include <cstdio>\nextern \"C\" const char* " + symbol +
         "_signature(void);\nint main() {\n  const char* text = " + symbol +
         "_signature();\n  if (text == nullptr) return 1;\n  std::fputs(text, stdout);\n  return 0;\n}\n";
}

}  // namespace
}  // namespace ork::plugins::cpp
