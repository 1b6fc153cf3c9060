#include "werkstatt/net/json.hpp"

#include <cstdio>

#include "werkstatt/board/text.hpp"

namespace werkstatt::net::json {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the well-formed UTF-8 sequence at s[i], 0 if it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  for (std::size_t len = 1; len <= 4 && i + len <= s.size(); ++len) {
    if (board::utf8_length(s.substr(i, len)) == std::size_t{1}) return len;
  }
  return 0;
}

class Parser {
 public:
  Parser(std::string_view text, std::string* error, std::map<std::string, std::uint64_t>* integers)
      : s_(text), error_(error), integers_(integers) {}

  std::optional<std::map<std::string, std::string>> object() {
    std::map<std::string, std::string> out;
    ws();
    if (!eat('{')) return fail("expected a JSON object");
    ws();
    if (eat('}')) return end(std::move(out));
    for (;;) {
      ws();
      std::string key;
      if (!string(key)) return std::nullopt;
      ws();
      if (!eat(':')) return fail("expected ':' after a key");
      ws();
      std::string value;
      if (integers_ && peek() >= '0' && peek() <= '9') {
        std::uint64_t n = 0;
        std::size_t digits = 0;
        while (peek() >= '0' && peek() <= '9') {
          if (++digits > 18) return fail("the number of \"" + key + "\" is too long");
          n = n * 10 + static_cast<std::uint64_t>(s_[i_++] - '0');
        }
        if (digits > 1 && s_[i_ - digits] == '0') return fail("the number of \"" + key + "\" has a leading zero");
        if (peek() == '.' || peek() == 'e' || peek() == 'E')
          return fail("the value of \"" + key + "\" must be a whole number");
        if (out.contains(key) || !integers_->emplace(key, n).second) return fail("duplicate key \"" + key + "\"");
      } else {
        if (peek() != '"')
          return fail("the value of \"" + key + "\" must be a string" + (integers_ ? " or a whole number" : ""));
        if (!string(value)) return std::nullopt;
        if ((integers_ && integers_->contains(key)) || !out.emplace(key, std::move(value)).second)
          return fail("duplicate key \"" + key + "\"");
      }
      ws();
      if (eat(',')) continue;
      if (eat('}')) return end(std::move(out));
      return fail("expected ',' or '}'");
    }
  }

 private:
  std::optional<std::map<std::string, std::string>> end(std::map<std::string, std::string> out) {
    ws();
    if (i_ != s_.size()) return fail("unexpected text after the object");
    return out;
  }
  std::nullopt_t fail(std::string why) {
    *error_ = std::move(why);
    return std::nullopt;
  }
  bool error(std::string why) {
    *error_ = std::move(why);
    return false;
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) {
    if (peek() != c || i_ >= s_.size()) return false;
    ++i_;
    return true;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool hex4(std::uint32_t& v) {
    if (i_ + 4 > s_.size()) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }
  bool string(std::string& out) {
    if (!eat('"')) return error("expected a string");
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        if (!board::utf8_length(out)) return error("a string is not valid UTF-8");
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return error("a control character inside a string");
      ++i_;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char e = i_ < s_.size() ? s_[i_++] : '\0';
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return error("a bad \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!eat('\\') || !eat('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF)
              return error("an unpaired surrogate in a \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return error("an unpaired surrogate in a \\u escape");
          }
          append_utf8(out, cp);
          break;
        }
        default: return error("a bad escape in a string");
      }
    }
    return error("an unterminated string");
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::string* error_;
  std::map<std::string, std::uint64_t>* integers_;
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
  return Parser(text, error, integers).object();
}

}  // namespace werkstatt::net::json
