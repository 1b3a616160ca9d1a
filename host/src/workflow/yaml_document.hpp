// A workflow file's YAML as a compact tree of our own, read from yaml-cpp's
// parser events. yaml-cpp's own document tree (YAML::Load) costs about 2 KB
// per task of a large workflow (each node is several heap objects and
// shared_ptrs), ~200 MB for 100 000 tasks; here a node is one 20-byte record
// in one array, a container's children are indexes in a second array and
// every scalar's text is in one buffer: ~150 bytes per task.
//
// The tree reads as YAML::Load's does: the first document of the text; marks
// are the parser's (an empty value sits at the next token); an alias is the
// node of its anchor itself (the same node, at the anchor's position), so a
// value that contains itself is a cycle its reader must refuse; a mapping
// keeps every entry in file order, duplicates and non-scalar keys included.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

enum class YamlKind : std::uint8_t { Null, Scalar, Sequence, Map };

class YamlDocument;
struct YamlEntry;

// A handle to one node of a YamlDocument: two words, copied freely, valid
// while its document lives. A default handle is an empty value with no
// position (like YAML::Node()); `find` of a missing key gives an undefined
// one (false in a condition).
class YamlNode {
 public:
  YamlNode() = default;

  bool is_defined() const { return index_ != missing; }
  explicit operator bool() const { return is_defined(); }
  YamlKind kind() const;
  bool is_null() const { return kind() == YamlKind::Null; }
  bool is_scalar() const { return kind() == YamlKind::Scalar; }
  bool is_sequence() const { return kind() == YamlKind::Sequence; }
  bool is_map() const { return kind() == YamlKind::Map; }

  // A scalar's text; empty for any other node.
  std::string_view scalar() const;
  // Whether the scalar was written quoted or as a block (yaml-cpp's "!" tag):
  // YAML reads it as a string whatever its text.
  bool is_non_plain() const;
  // 1-based line and column; 0 when the node has no position.
  int line() const;
  int column() const;

  // The items of a sequence, or the entries of a mapping in file order;
  // size() counts either (0 for any other node), item(i) and entry(i) read
  // one (i < size()).
  std::size_t size() const;
  std::vector<YamlNode> items() const;
  YamlNode item(std::size_t i) const;
  YamlEntry entry(std::size_t i) const;
  // The value of the mapping's first entry whose key is the scalar `key`;
  // undefined when there is none (or this is not a mapping).
  YamlNode find(std::string_view key) const;
  // Whether both handles name the same node (an alias names its anchor's).
  bool same_node(const YamlNode& other) const { return storage_ == other.storage_ && index_ == other.index_; }

 private:
  friend class YamlDocument;
  struct Record;
  struct Storage;
  static constexpr std::uint32_t none = 0xFFFFFFFF;      // the default empty value
  static constexpr std::uint32_t missing = 0xFFFFFFFE;   // the result of a failed find
  YamlNode(const Storage* storage, std::uint32_t index) : storage_(storage), index_(index) {}
  YamlNode child(std::size_t position) const;
  const Record& record() const;

  const Storage* storage_ = nullptr;
  std::uint32_t index_ = none;
};

struct YamlEntry {
  YamlNode key;
  YamlNode value;
};

// The parsed first document of a YAML text. Movable; its nodes stay valid
// when it moves.
class YamlDocument {
 public:
  // Throws YAML::ParserException (with the parser's 0-based mark) on a
  // syntax error, as YAML::Load does.
  static YamlDocument parse(std::string_view text);

  YamlDocument(YamlDocument&&) noexcept;
  YamlDocument& operator=(YamlDocument&&) noexcept;
  ~YamlDocument();

  // The document's root; an empty value when the text holds no document.
  YamlNode root() const;
  // The bytes the tree holds (for tests of its size).
  std::size_t bytes_held() const;

 private:
  class Builder;
  explicit YamlDocument(std::unique_ptr<YamlNode::Storage> storage);
  std::unique_ptr<YamlNode::Storage> storage_;
};

}  // namespace ork::host
