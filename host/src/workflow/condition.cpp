#include "workflow/condition.hpp"
#include "workflow/condition_node.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ork::host {

namespace {

// ---- parsing ------------------------------------------------------------------
// A recursive-descent parser by hand: the grammar is a dozen lines, and no
// library in the tree parses expressions (Boost.Spirit would add a heavy
// dependency for it and give worse error positions).
//
//   or    := and ("or" and)*
//   and   := not ("and" not)*
//   not   := "not" not | comparison
//   comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") operand)?
//   operand := literal | path | "[" literal ("," literal)* "]" | "(" or ")"

struct Token {
  enum class Kind { end, word, number, string, symbol } kind = Kind::end;
  std::string text;
  boost::json::value value;  // number, string
  std::size_t offset = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // Tokens up to the end, or nullopt with `error` set.
  std::optional<std::vector<Token>> tokens(ConditionError& error) {
    std::vector<Token> out;
    while (true) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ >= text_.size()) break;
      std::optional<Token> token = next(error);
      if (!token) return std::nullopt;
      out.push_back(std::move(*token));
    }
    out.push_back(Token{Token::Kind::end, "", nullptr, text_.size()});
    return out;
  }

 private:
  std::optional<Token> next(ConditionError& error) {
    const std::size_t start = pos_;
    const char c = text_[pos_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
      return Token{Token::Kind::word, std::string(text_.substr(start, pos_ - start)), nullptr, start};
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '-' && pos_ + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
      return number(error);
    }
    if (c == '"' || c == '\'') return quoted(error);
    for (std::string_view symbol : {"==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", ",", "."}) {
      if (text_.substr(pos_, symbol.size()) == symbol) {
        pos_ += symbol.size();
        return Token{Token::Kind::symbol, std::string(symbol), nullptr, start};
      }
    }
    error = {start, std::string("unexpected character '") + c + "'" +
                        (c == '='                           ? " (compare with ==)"
                         : c == '&' || c == '|' || c == '!' ? " (write and, or, not)"
                                                            : "")};
    return std::nullopt;
  }

  static bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

  std::optional<Token> number(ConditionError& error) {
    const std::size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    bool is_float = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if ((c == '.' || c == 'e' || c == 'E') && pos_ + 1 < text_.size() &&
                 (std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])) || text_[pos_ + 1] == '-')) {
        is_float = true;
        pos_ += (c != '.' && text_[pos_ + 1] == '-') ? 2 : 1;
      } else {
        break;
      }
    }
    std::string_view digits = text_.substr(start, pos_ - start);
    Token token{Token::Kind::number, std::string(digits), nullptr, start};
    if (is_float) {
      double value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc() && end == digits.data() + digits.size()) token.value = value;
    } else {
      std::int64_t value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc() && end == digits.data() + digits.size()) token.value = value;
    }
    if (token.value.is_null()) {
      error = {start, "\"" + std::string(digits) + "\" is not a number ork can read"};
      return std::nullopt;
    }
    return token;
  }

  std::optional<Token> quoted(ConditionError& error) {
    const std::size_t start = pos_;
    const char quote = text_[pos_++];
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      value += text_[pos_++];
    }
    if (pos_ >= text_.size()) {
      error = {start, std::string("unterminated string: it has no closing ") + quote};
      return std::nullopt;
    }
    ++pos_;
    return Token{Token::Kind::string, std::string(text_.substr(start, pos_ - start)), boost::json::value(value), start};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::optional<ConditionNode> parse(ConditionError& error) {
    std::optional<ConditionNode> node = disjunction(error);
    if (!node) return std::nullopt;
    if (peek().kind != Token::Kind::end) return fail(error, "expected and, or, or the end of the condition");
    return node;
  }

 private:
  static constexpr int max_depth = 64;  // hostile nesting must not exhaust the stack

  const Token& peek() const { return tokens_[pos_]; }
  bool is_word(std::string_view word) const { return peek().kind == Token::Kind::word && peek().text == word; }
  bool is_symbol(std::string_view symbol) const { return peek().kind == Token::Kind::symbol && peek().text == symbol; }

  // The node ends with the last token consumed.
  ConditionNode closed(ConditionNode node) const {
    const Token& last = tokens_[pos_ - 1];
    node.end = last.offset + last.text.size();
    return node;
  }

  std::optional<ConditionNode> fail(ConditionError& error, const std::string& expected) {
    const Token& token = peek();
    error = {token.offset, expected + ", found " +
                               (token.kind == Token::Kind::end ? std::string("the end") : "\"" + token.text + "\"")};
    return std::nullopt;
  }

  std::optional<ConditionNode> disjunction(ConditionError& error) { return chain(error, "or", true); }

  // `or` over `and`s (or `and` over negations): left-associative chains.
  std::optional<ConditionNode> chain(ConditionError& error, std::string_view word, bool is_or) {
    std::optional<ConditionNode> left = is_or ? chain(error, "and", false) : negation(error);
    if (!left) return std::nullopt;
    while (is_word(word)) {
      std::size_t op_offset = peek().offset;
      ++pos_;
      std::optional<ConditionNode> right = is_or ? chain(error, "and", false) : negation(error);
      if (!right) return std::nullopt;
      ConditionNode node;
      node.kind = is_or ? ConditionNode::Kind::disjunction : ConditionNode::Kind::conjunction;
      node.offset = left->offset;
      node.op_offset = op_offset;
      node.op = std::string(word);
      node.children = {std::move(*left), std::move(*right)};
      left = closed(std::move(node));
    }
    return left;
  }

  std::optional<ConditionNode> negation(ConditionError& error) {
    if (!is_word("not")) return comparison(error);
    if (++depth_ > max_depth) return fail(error, "the condition nests too deeply");
    std::size_t offset = peek().offset;
    ++pos_;
    std::optional<ConditionNode> operand = negation(error);
    --depth_;
    if (!operand) return std::nullopt;
    ConditionNode node;
    node.kind = ConditionNode::Kind::negation;
    node.offset = offset;
    node.op_offset = offset;
    node.op = "not";
    node.children = {std::move(*operand)};
    return closed(std::move(node));
  }

  std::optional<ConditionNode> comparison(ConditionError& error) {
    std::optional<ConditionNode> left = operand(error);
    if (!left) return std::nullopt;
    std::string op;
    std::size_t op_offset = peek().offset;
    if (peek().kind == Token::Kind::symbol && (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                                               peek().text == "<=" || peek().text == ">" || peek().text == ">=")) {
      op = peek().text;
      ++pos_;
    } else if (is_word("in")) {
      op = "in";
      ++pos_;
    } else if (is_word("not") && pos_ + 1 < tokens_.size() && tokens_[pos_ + 1].kind == Token::Kind::word &&
               tokens_[pos_ + 1].text == "in") {
      op = "not in";
      pos_ += 2;
    } else {
      return left;
    }
    std::optional<ConditionNode> right = operand(error);
    if (!right) return std::nullopt;
    ConditionNode node;
    node.kind = op == "in" || op == "not in" ? ConditionNode::Kind::membership : ConditionNode::Kind::comparison;
    node.op = op;
    node.offset = left->offset;
    node.op_offset = op_offset;
    node.children = {std::move(*left), std::move(*right)};
    return closed(std::move(node));
  }

  std::optional<ConditionNode> operand(ConditionError& error) {
    const Token& token = peek();
    if (is_symbol("(")) {
      if (++depth_ > max_depth) return fail(error, "the condition nests too deeply");
      ++pos_;
      std::optional<ConditionNode> inner = disjunction(error);
      --depth_;
      if (!inner) return std::nullopt;
      if (!is_symbol(")")) return fail(error, "expected \")\"");
      ++pos_;
      return inner;
    }
    if (is_symbol("[")) return list(error);
    if (token.kind == Token::Kind::number || token.kind == Token::Kind::string) {
      ++pos_;
      return closed(literal(token.value, token.offset));
    }
    if (token.kind == Token::Kind::word) {
      if (token.text == "true" || token.text == "false") {
        ++pos_;
        return closed(literal(token.text == "true", token.offset));
      }
      if (token.text == "null") {
        ++pos_;
        return closed(literal(nullptr, token.offset));
      }
      if (token.text == "and" || token.text == "or" || token.text == "not" || token.text == "in") {
        return fail(error, "expected a value (a task.field path, inputs.NAME or a literal)");
      }
      return path(error);
    }
    return fail(error, "expected a value (a task.field path, inputs.NAME or a literal)");
  }

  static ConditionNode literal(boost::json::value value, std::size_t offset) {
    ConditionNode node;
    node.kind = ConditionNode::Kind::literal;
    node.literal = std::move(value);
    node.offset = offset;
    return node;
  }

  std::optional<ConditionNode> list(ConditionError& error) {
    ConditionNode node;
    node.kind = ConditionNode::Kind::list;
    node.offset = peek().offset;
    ++pos_;
    while (!is_symbol("]")) {
      if (!node.children.empty()) {
        if (!is_symbol(",")) return fail(error, "expected \",\" or \"]\"");
        ++pos_;
      }
      const Token& item = peek();
      if (item.kind == Token::Kind::number || item.kind == Token::Kind::string) {
        node.children.push_back(literal(item.value, item.offset));
      } else if (item.kind == Token::Kind::word &&
                 (item.text == "true" || item.text == "false" || item.text == "null")) {
        node.children.push_back(literal(
            item.text == "null" ? boost::json::value(nullptr) : boost::json::value(item.text == "true"), item.offset));
      } else {
        return fail(error, "a list in a condition holds literals only; expected a literal");
      }
      ++pos_;
    }
    ++pos_;
    return closed(std::move(node));
  }

  std::optional<ConditionNode> path(ConditionError& error) {
    ConditionNode node;
    node.kind = ConditionNode::Kind::path;
    node.offset = peek().offset;
    node.path.offset = node.offset;
    node.path.root = peek().text;
    ++pos_;
    while (is_symbol(".")) {
      ++pos_;
      if (peek().kind == Token::Kind::word ||
          (peek().kind == Token::Kind::number && peek().value.is_int64() && peek().value.get_int64() >= 0)) {
        node.path.fields.push_back(peek().text);
        ++pos_;
      } else {
        return fail(error, "expected a field name or list index after \".\"");
      }
    }
    if (node.path.fields.empty()) {
      error = {node.offset, "\"" + node.path.root +
                                "\" alone is not a value: write task.field (a task's output field), inputs.NAME, or "
                                "a quoted string \"" +
                                node.path.root + "\""};
      return std::nullopt;
    }
    return closed(std::move(node));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

void collect_paths(const ConditionNode& node, std::vector<ConditionPath>& out) {
  if (node.kind == ConditionNode::Kind::path) out.push_back(node.path);
  for (const ConditionNode& child : node.children) collect_paths(child, out);
}

}  // namespace

std::string ConditionPath::to_string() const {
  std::string text = root;
  for (const std::string& field : fields) text += "." + field;
  return text;
}

std::vector<ConditionPath> Condition::paths() const {
  std::vector<ConditionPath> out;
  if (root) collect_paths(*root, out);
  return out;
}

std::optional<Condition> parse_condition(std::string_view text, ConditionError& error) {
  // A bound on the text bounds the tree (and/or chains nest one level per
  // operator) and the compile time: a 200 000-term chain kept `ork validate`
  // busy for minutes.
  if (text.size() > max_condition_bytes) {
    error = {max_condition_bytes, "the condition is longer than " + std::to_string(max_condition_bytes) +
                                      " bytes; split the decision into a task that computes it"};
    return std::nullopt;
  }
  std::optional<std::vector<Token>> tokens = Lexer(text).tokens(error);
  if (!tokens) return std::nullopt;
  if (tokens->size() == 1) {
    error = {0, "the condition is empty"};
    return std::nullopt;
  }
  std::optional<ConditionNode> root = Parser(std::move(*tokens)).parse(error);
  if (!root) return std::nullopt;
  return Condition{std::string(text), std::make_shared<const ConditionNode>(std::move(*root))};
}

}  // namespace ork::host
