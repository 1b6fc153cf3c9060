#include "werkstatt/net/json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>
// Boost.JSON's own implementation, compiled once here (Debian's Boost 1.81
// ships no libboost_json): the library used header-only.
#include <boost/json/src.hpp>

#include <cstdio>
#include <utility>

#include "werkstatt/board/text.hpp"

namespace werkstatt::net::json {
namespace {

using boost::json::error_code;
using boost::json::string_view;

// Length of the well-formed UTF-8 sequence at s[i], 0 if it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  for (std::size_t len = 1; len <= 4 && i + len <= s.size(); ++len) {
    if (board::utf8_length(s.substr(i, len)) == std::size_t{1}) return len;
  }
  return 0;
}

// Boost.JSON's tokenizer (RFC 8259: escapes, surrogate pairs, UTF-8
// validation, no trailing commas or comments) with a handler that keeps only
// what a REST body may be: one object of string values (and, if asked,
// non-negative integers), each key once.
class FlatObject {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  explicit FlatObject(std::map<std::string, std::uint64_t>* integers) : integers_(integers) {}

  std::map<std::string, std::string> strings;
  std::string problem;  // set when the handler refused (the tokenizer's own errors come as its error_code)

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code& ec) { return ++depth_ == 1 || refuse(ec, value_problem()); }
  bool on_object_end(std::size_t, error_code&) { --depth_; return true; }
  bool on_array_begin(error_code& ec) { return refuse(ec, depth_ == 0 ? "expected a JSON object" : value_problem()); }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(string_view s, std::size_t, error_code&) { key_.append(s.data(), s.size()); return true; }
  bool on_key(string_view s, std::size_t, error_code& ec) {
    key_.append(s.data(), s.size());
    if (strings.contains(key_) || (integers_ && integers_->contains(key_))) return refuse(ec, "duplicate key \"" + key_ + "\"");
    return true;
  }
  bool on_string_part(string_view s, std::size_t, error_code&) { text_.append(s.data(), s.size()); return true; }
  bool on_string(string_view s, std::size_t, error_code& ec) {
    if (depth_ == 0) return refuse(ec, "expected a JSON object");
    text_.append(s.data(), s.size());
    strings.emplace(std::move(key_), std::move(text_));
    key_.clear();
    text_.clear();
    return true;
  }
  bool on_number_part(string_view s, error_code&) { number_.append(s.data(), s.size()); return true; }
  bool on_int64(std::int64_t, string_view s, error_code& ec) { return whole_number(s, ec); }
  bool on_uint64(std::uint64_t, string_view s, error_code& ec) { return whole_number(s, ec); }
  bool on_double(double, string_view, error_code& ec) {
    return refuse(ec, integers_ ? "the value of \"" + key_ + "\" must be a whole number" : value_problem());
  }
  bool on_bool(bool, error_code& ec) { return refuse(ec, value_problem()); }
  bool on_null(error_code& ec) { return refuse(ec, value_problem()); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  std::string value_problem() const {
    if (depth_ == 0) return "expected a JSON object";
    return "the value of \"" + key_ + "\" must be a string" + (integers_ ? " or a whole number" : "");
  }
  bool refuse(error_code& ec, std::string why) {
    problem = std::move(why);
    ec = boost::json::error::syntax;  // any error stops the tokenizer; `problem` says which
    return false;
  }
  // A non-negative integer literal of at most 18 digits, stored in `integers`.
  bool whole_number(string_view last_part, error_code& ec) {
    number_.append(last_part.data(), last_part.size());
    const std::string literal = std::exchange(number_, {});
    if (!integers_ || depth_ == 0) return refuse(ec, value_problem());
    if (literal.front() == '-') return refuse(ec, "the value of \"" + key_ + "\" must be a whole number");
    if (literal.size() > 18) return refuse(ec, "the number of \"" + key_ + "\" is too long");
    std::uint64_t n = 0;
    for (const char c : literal) n = n * 10 + static_cast<std::uint64_t>(c - '0');
    integers_->emplace(std::exchange(key_, {}), n);
    return true;
  }

  std::map<std::string, std::uint64_t>* integers_;
  int depth_ = 0;
  std::string key_, text_, number_;
};

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void Object::key(std::string_view k) {
  if (out_.size() > 1) out_.push_back(',');
  append_string(out_, k);
  out_.push_back(':');
}

Object& Object::field(std::string_view k, std::string_view value) {
  key(k);
  append_string(out_, value);
  return *this;
}

Object& Object::field(std::string_view k, std::uint64_t value) {
  key(k);
  out_ += std::to_string(value);
  return *this;
}

Object& Object::field(std::string_view k, std::int64_t value) {
  key(k);
  out_ += std::to_string(value);
  return *this;
}

Object& Object::raw(std::string_view k, std::string_view json) {
  key(k);
  out_ += json;
  return *this;
}

Object& Object::field(std::string_view k, bool value) {
  key(k);
  out_ += value ? "true" : "false";
  return *this;
}

std::optional<std::map<std::string, std::string>> parse_string_object(std::string_view text, std::string* error,
                                                                     std::map<std::string, std::uint64_t>* integers) {
  boost::json::parse_options options;
  options.max_depth = 2;  // one object; a nested one is refused by the handler with a clearer word
  boost::json::basic_parser<FlatObject> parser(options, integers);
  error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && !parser.done()) ec = boost::json::error::incomplete;
  if (!ec && used != text.size()) ec = boost::json::error::extra_data;
  if (ec) {
    if (error) *error = !parser.handler().problem.empty() ? parser.handler().problem : ec.message();
    return std::nullopt;
  }
  if (error) error->clear();
  return std::move(parser.handler().strings);
}

}  // namespace werkstatt::net::json
