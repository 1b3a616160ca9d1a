#include "workflow/yaml_document.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <stdexcept>

namespace ork::host {

// One node: 20 bytes. A scalar's `first`/`count` are its text's offset and
// length in Storage::text; a container's are its children's offset and count
// in Storage::children (a mapping's children are key, value, key, value...).
struct YamlNode::Record {
  std::uint32_t line = 0;  // 1-based; 0: no position
  std::uint32_t column = 0;
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  YamlKind kind = YamlKind::Null;
  bool non_plain = false;
};

struct YamlNode::Storage {
  std::vector<Record> records;
  std::vector<std::uint32_t> children;
  std::string text;
  std::uint32_t root = none;
};

// ---- YamlDocument ------------------------------------------------------------

// Builds the Storage from the parser's events, as yaml-cpp's NodeBuilder
// builds its tree: without recursion (a stack of the containers still open),
// an anchor registered when its node starts (so an alias inside it refers to
// it), an alias appended as its anchor's node.
class YamlDocument::Builder : public YAML::EventHandler {
 public:
  explicit Builder(YamlNode::Storage& storage) : storage_(storage) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    finish(start(mark, anchor, YamlKind::Null));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || anchors_[anchor] == YamlNode::none) {
      throw YAML::ParserException(mark, "the referenced anchor is not defined");
    }
    finish(anchors_[anchor]);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    std::uint32_t index = start(mark, anchor, YamlKind::Scalar);
    YamlNode::Record& record = storage_.records[index];
    record.first = checked(storage_.text.size());
    record.count = checked(value.size());
    checked(storage_.text.size() + value.size());
    record.non_plain = tag == "!";
    storage_.text += value;
    finish(index);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(start(mark, anchor, YamlKind::Sequence));
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(start(mark, anchor, YamlKind::Map));
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    std::uint32_t index;
    std::size_t first_pending;  // where its children start in pending_
  };

  std::uint32_t start(const YAML::Mark& mark, YAML::anchor_t anchor, YamlKind kind) {
    auto index = checked(storage_.records.size());
    YamlNode::Record record;
    record.kind = kind;
    if (!mark.is_null() && mark.line >= 0) {
      record.line = static_cast<std::uint32_t>(mark.line) + 1;
      record.column = static_cast<std::uint32_t>(mark.column) + 1;
    }
    storage_.records.push_back(record);
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, YamlNode::none);
      anchors_[anchor] = index;
    }
    return index;
  }

  void open(std::uint32_t index) { open_.push_back({index, pending_.size()}); }

  // A container's children move from pending_ to their place in the
  // document, one block per container.
  void close() {
    Open done = open_.back();
    open_.pop_back();
    YamlNode::Record& record = storage_.records[done.index];
    record.first = checked(storage_.children.size());
    record.count = checked(pending_.size() - done.first_pending);
    storage_.children.insert(storage_.children.end(), pending_.begin() + static_cast<std::ptrdiff_t>(done.first_pending),
                             pending_.end());
    pending_.resize(done.first_pending);
    finish(done.index);
  }

  // A complete node is its container's next child, or the root.
  void finish(std::uint32_t index) {
    if (open_.empty()) {
      if (storage_.root == YamlNode::none) storage_.root = index;
      return;
    }
    pending_.push_back(index);
  }

  static std::uint32_t checked(std::size_t size) {
    if (size >= YamlNode::missing) throw std::length_error("a YAML document of more than 4 GB or 4G nodes");
    return static_cast<std::uint32_t>(size);
  }

  YamlNode::Storage& storage_;
  std::vector<Open> open_;
  std::vector<std::uint32_t> pending_;
  std::vector<std::uint32_t> anchors_;
};

YamlDocument YamlDocument::parse(std::string_view text) {
  auto storage = std::make_unique<YamlNode::Storage>();
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  Builder builder(*storage);
  parser.HandleNextDocument(builder);
  storage->records.shrink_to_fit();
  storage->children.shrink_to_fit();
  storage->text.shrink_to_fit();
  return YamlDocument(std::move(storage));
}

YamlDocument::YamlDocument(std::unique_ptr<YamlNode::Storage> storage) : storage_(std::move(storage)) {}
YamlDocument::YamlDocument(YamlDocument&&) noexcept = default;
YamlDocument& YamlDocument::operator=(YamlDocument&&) noexcept = default;
YamlDocument::~YamlDocument() = default;

YamlNode YamlDocument::root() const {
  if (storage_->root == YamlNode::none) return YamlNode();
  return YamlNode(storage_.get(), storage_->root);
}

std::size_t YamlDocument::bytes_held() const {
  return storage_->records.capacity() * sizeof(YamlNode::Record) +
         storage_->children.capacity() * sizeof(std::uint32_t) + storage_->text.capacity();
}

// ---- YamlNode ----------------------------------------------------------------

YamlKind YamlNode::kind() const {
  return storage_ == nullptr || index_ >= missing ? YamlKind::Null : record().kind;
}

std::string_view YamlNode::scalar() const {
  if (!is_scalar()) return {};
  const Record& node = record();
  return std::string_view(storage_->text).substr(node.first, node.count);
}

bool YamlNode::is_non_plain() const { return is_scalar() && record().non_plain; }

int YamlNode::line() const {
  return storage_ == nullptr || index_ >= missing ? 0 : static_cast<int>(record().line);
}

int YamlNode::column() const {
  return storage_ == nullptr || index_ >= missing ? 0 : static_cast<int>(record().column);
}

std::size_t YamlNode::size() const {
  switch (kind()) {
    case YamlKind::Sequence: return record().count;
    case YamlKind::Map: return record().count / 2;
    default: return 0;
  }
}

std::vector<YamlNode> YamlNode::items() const {
  std::vector<YamlNode> items;
  if (!is_sequence()) return items;
  items.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) items.push_back(child(i));
  return items;
}

YamlNode YamlNode::item(std::size_t i) const { return child(i); }

YamlEntry YamlNode::entry(std::size_t i) const { return YamlEntry{child(2 * i), child(2 * i + 1)}; }

YamlNode YamlNode::find(std::string_view key) const {
  for (std::size_t i = 0, n = size(); i < n && is_map(); ++i) {
    YamlEntry candidate = entry(i);
    if (candidate.key.is_scalar() && candidate.key.scalar() == key) return candidate.value;
  }
  return YamlNode(nullptr, missing);
}

YamlNode YamlNode::child(std::size_t position) const {
  return YamlNode(storage_, storage_->children[record().first + position]);
}

const YamlNode::Record& YamlNode::record() const { return storage_->records[index_]; }

}  // namespace ork::host
