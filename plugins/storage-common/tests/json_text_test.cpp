#include <gtest/gtest.h>

#include <string>

#include "ork_storage/json_text.hpp"

namespace ork::plugins::storage {
namespace {

const std::string fffd = "\xEF\xBF\xBD";

TEST(ValidUtf8, KeepsValidTextUnchanged) {
  using namespace std::string_literals;
  const std::string text = "plain ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80 and a \0 byte"s;
  ASSERT_NE(text.find('\0'), std::string::npos);
  EXPECT_EQ(valid_utf8(text), text);
  EXPECT_EQ(valid_utf8(""), "");
}

TEST(ValidUtf8, ReplacesStrayBytes) {
  EXPECT_EQ(valid_utf8("a\xFF" "b"), "a" + fffd + "b");
  EXPECT_EQ(valid_utf8("\x80\x80"), fffd + fffd);
  EXPECT_EQ(valid_utf8("\xC0\xAF"), fffd + fffd);  // overlong encoding of '/'
}

TEST(ValidUtf8, ReplacesATruncatedSequenceWithOneCharacter) {
  EXPECT_EQ(valid_utf8("x\xF0\x9F\x98"), "x" + fffd);
  EXPECT_EQ(valid_utf8("\xF0\x9F\x98" "y"), fffd + "y");
  EXPECT_EQ(valid_utf8("\xC3"), fffd);
}

TEST(ValidUtf8, ReplacesEachByteOfAnIllFormedPrefix) {
  // E0 80 can start no character, so each byte is its own maximal subpart.
  EXPECT_EQ(valid_utf8("\xE0\x80\x80"), fffd + fffd + fffd);
  // Surrogates are not characters either.
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), fffd + fffd + fffd);
  // Above U+10FFFF.
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);
}

TEST(JsonText, AbsentIsNullAndBytesBecomeAValidString) {
  EXPECT_TRUE(json_text(std::nullopt).is_null());
  EXPECT_EQ(json_text("bad \xFF").as_string(), "bad " + fffd);
}

TEST(EmbeddedJson, ParsesValidDocuments) {
  const boost::json::value value = embedded_json(R"({"rows":[1,2],"ok":true})");
  EXPECT_EQ(value.at("rows").as_array().size(), 2u);
  EXPECT_TRUE(embedded_json("42").is_int64());
}

TEST(EmbeddedJson, AbsentOrEmptyIsNull) {
  EXPECT_TRUE(embedded_json(std::nullopt).is_null());
  EXPECT_TRUE(embedded_json("").is_null());
}

TEST(EmbeddedJson, InvalidDocumentIsEmbeddedAsAString) {
  EXPECT_EQ(embedded_json("{not json").as_string(), "{not json");
  EXPECT_EQ(embedded_json("\"\xFF\"").as_string(), "\"" + fffd + "\"");
}

TEST(EmbeddedJson, DeepDocumentsStillParse) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_TRUE(embedded_json(deep).is_array());
}

}  // namespace
}  // namespace ork::plugins::storage
