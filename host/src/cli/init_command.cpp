// `ork init [DIR] [--template python|polyglot|process] [--force]`: writes a
// ready-to-run project (a workflow, its task files, a .gitignore for .ork/
// and a README) from a template compiled into the binary. Existing files are
// never overwritten without --force: a half-overwritten project is worse than
// a refusal that lists what is in the way.
#include "cli/cli.hpp"
#include "cli/project_templates.hpp"
#include "core/error.hpp"

#include <fstream>
#include <iostream>
#include <set>

namespace ork::host {

namespace {

constexpr const char* default_template = "python";

struct TemplateFile {
  std::filesystem::path relative;  // "workflow.yaml", ".gitignore"
  std::string_view bytes;
};

std::vector<TemplateFile> template_files(const std::string& name);
std::string project_name(const std::filesystem::path& dir);
std::vector<std::filesystem::path> existing_files(const std::filesystem::path& dir,
                                                  const std::vector<TemplateFile>& files);
void write_project(const std::filesystem::path& dir, const std::vector<TemplateFile>& files,
                   const std::string& project);
std::string shell_quote(const std::string& s);

}  // namespace

int init_command(CliContext& ctx) {
  if (ctx.cl.positional.size() > 1) {
    throw Error(ErrorKind::usage, "`ork init` takes at most one DIR, got " + std::to_string(ctx.cl.positional.size()));
  }
  const std::filesystem::path dir = ctx.cl.positional.empty() ? "." : ctx.cl.positional[0];
  const std::string template_name = ctx.cl.value("--template").value_or(default_template);
  const std::vector<TemplateFile> files = template_files(template_name);
  if (std::filesystem::exists(dir) && !std::filesystem::is_directory(dir)) {
    throw Error(ErrorKind::usage, dir.string() + " exists and is not a directory; give `ork init` a directory");
  }
  if (!ctx.cl.has("--force")) {
    std::vector<std::filesystem::path> in_the_way = existing_files(dir, files);
    if (!in_the_way.empty()) {
      std::cerr << "ork: " << dir.string() << " already has " << in_the_way.size()
                << (in_the_way.size() == 1 ? " file" : " files") << " the " << template_name
                << " template would overwrite:\n";
      for (const auto& f : in_the_way) std::cerr << "  " << f.string() << '\n';
      std::cerr << "nothing was written; use `ork init --force` to overwrite them, or choose an empty DIR\n";
      return exit_invalid;
    }
  }
  const std::string project = project_name(dir);
  write_project(dir, files, project);
  std::cout << "created " << template_name << " project " << project << " in " << dir.string() << ":\n";
  for (const auto& f : files) std::cout << "  " << f.relative.string() << '\n';
  std::cout << "next:\n";
  if (dir != ".") std::cout << "  cd " << shell_quote(dir.string()) << '\n';
  std::cout << "  ork validate workflow.yaml\n  ork run workflow.yaml\n";
  return exit_ok;
}

namespace {

// The template's files, in the table's order; an unknown name lists the known ones.
std::vector<TemplateFile> template_files(const std::string& name) {
  std::vector<TemplateFile> files;
  std::set<std::string> known;
  for (const EmbeddedAsset& asset : embedded_project_templates()) {
    const auto slash = asset.name.find('/');
    const std::string_view owner = asset.name.substr(0, slash);
    known.emplace(owner);
    if (owner == name) files.push_back({std::filesystem::path(asset.name.substr(slash + 1)), asset.bytes});
  }
  if (files.empty()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw Error(ErrorKind::usage, "unknown --template '" + name + "'; choose one of: " + list);
  }
  return files;
}

// The workflow's name: the directory's name with every character a workflow
// name may not hold (docs/workflows.md: letters, digits, _, -, .) made '_'.
std::string project_name(const std::filesystem::path& dir) {
  std::string base = std::filesystem::weakly_canonical(std::filesystem::absolute(dir)).filename().string();
  for (char& c : base) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                         c == '-' || c == '.';
    if (!allowed) c = '_';
  }
  if (base.empty() || base.find_first_not_of("._") == std::string::npos) return "my_workflow";
  return base;
}

std::vector<std::filesystem::path> existing_files(const std::filesystem::path& dir,
                                                  const std::vector<TemplateFile>& files) {
  std::vector<std::filesystem::path> found;
  for (const auto& f : files) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(dir / f.relative, ec))) found.push_back(f.relative);
  }
  return found;
}

// Writes every file with "{{project}}" replaced; scripts (.sh) are made
// executable so they can also be run by hand.
void write_project(const std::filesystem::path& dir, const std::vector<TemplateFile>& files,
                   const std::string& project) {
  static constexpr std::string_view placeholder = "{{project}}";
  for (const auto& f : files) {
    const std::filesystem::path target = dir / f.relative;
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path().empty() ? dir : target.parent_path(), ec);
    if (ec) throw Error(ErrorKind::internal, "cannot create " + target.parent_path().string() + ": " + ec.message());
    std::string text(f.bytes);
    for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + project.size())) {
      text.replace(at, placeholder.size(), project);
    }
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw Error(ErrorKind::internal, "cannot write " + target.string());
    if (f.relative.extension() == ".sh") {
      std::filesystem::permissions(target,
                                   std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec |
                                       std::filesystem::perms::others_exec,
                                   std::filesystem::perm_options::add, ec);
    }
  }
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

}  // namespace ork::host
