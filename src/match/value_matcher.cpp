// WireMock's string value patterns and content patterns, compiled once per stub and evaluated on
// the request path without throwing.
#include "match/value_matcher.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <pugixml.hpp>
#include <unordered_map>
#include <utility>

#include "core/json_schema.h"
#include "core/jsonpath.h"
#include "core/stack.h"
#include "match/regex.h"

namespace mockd::match {
namespace {

using match::Regex;
using RegexPtr = std::shared_ptr<const Regex>;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

MatchResult of(bool matched) { return matched ? MatchResult::exact() : MatchResult::miss(); }

using OrderedJson = nlohmann::ordered_json;

template <typename J>
std::string compactJson(const J& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Jackson's JsonNode.asBoolean().
bool asBoolean(const Json* j) {
    if (j == nullptr) return false;
    if (j->is_boolean()) return j->get<bool>();
    if (j->is_number_integer()) return j->get<int64_t>() != 0;
    if (j->is_number_float()) return j->get<double>() != 0.0;
    if (j->is_string()) {
        std::string s = j->get<std::string>();
        size_t b = s.find_first_not_of(" \t\r\n");
        size_t e = s.find_last_not_of(" \t\r\n");
        return b != std::string::npos && s.substr(b, e - b + 1) == "true";
    }
    return false;
}

// Jackson's JsonNode.asText().
std::string asText(const Json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_structured()) return "";
    return compactJson(j);
}

const std::string* textValue(const Json* j) {
    return j != nullptr && j->is_string() ? j->get_ptr<const std::string*>() : nullptr;
}

// Jackson's findValue: the named member of this object, else the first one found below it.
const Json* findValue(const Json& node, std::string_view key, int depth = 0) {
    if (depth > 64) return nullptr;
    if (node.is_object()) {
        auto it = node.find(key);
        if (it != node.end()) return &*it;
    }
    if (node.is_structured()) {
        for (const auto& child : node) {
            if (const Json* found = findValue(child, key, depth + 1)) return found;
        }
    }
    return nullptr;
}

std::string_view trimJava(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && static_cast<unsigned char>(s[b]) <= ' ') ++b;
    while (e > b && static_cast<unsigned char>(s[e - 1]) <= ' ') --e;
    return s.substr(b, e - b);
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string toUpper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}
void decodeUtf8(std::string_view s, std::vector<uint32_t>& out);

// Lower case for the scripts people put in headers (Latin, Greek, Cyrillic); others unchanged.
uint32_t foldCase(uint32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
        c != 0x17F) {
        bool oddUpper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (c == 0x178) return 0xFF;
        return (c % 2 == 1) == oddUpper ? c + 1 : c;
    }
    return c;
}

// Java's String.equalsIgnoreCase.
bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    bool ascii = true;
    for (char c : a) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    for (char c : b) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (foldCase(static_cast<unsigned char>(a[i])) !=
                foldCase(static_cast<unsigned char>(b[i])))
                return false;
        }
        return true;
    }
    std::vector<uint32_t> x, y;
    decodeUtf8(a, x);
    decodeUtf8(b, y);
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
        if (foldCase(x[i]) != foldCase(y[i])) return false;
    }
    return true;
}

void decodeUtf8(std::string_view s, std::vector<uint32_t>& out) {
    out.clear();
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80           ? 1
                   : (c >> 5) == 0x6  ? 2
                   : (c >> 4) == 0xE  ? 3
                   : (c >> 3) == 0x1E ? 4
                                      : 1;
        if (i + n > s.size()) n = 1;
        uint32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
        for (size_t k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += n;
    }
}

// WireMock's normalised Levenshtein distance (edit distance over the longer length). Long inputs
// are estimated: near-miss ranking does not need exactness, the request path needs bounded work.
double normalisedLevenshtein(std::string_view a, std::string_view b) {
    thread_local std::vector<uint32_t> x, y;
    decodeUtf8(a, x);
    decodeUtf8(b, y);
    size_t longest = std::max(x.size(), y.size());
    if (longest == 0) return 0.0;
    size_t pre = 0;
    while (pre < x.size() && pre < y.size() && x[pre] == y[pre]) ++pre;
    size_t suf = 0;
    while (suf < x.size() - pre && suf < y.size() - pre &&
           x[x.size() - 1 - suf] == y[y.size() - 1 - suf])
        ++suf;
    size_t n = x.size() - pre - suf, m = y.size() - pre - suf;
    if (n == 0 || m == 0) return static_cast<double>(std::max(n, m)) / static_cast<double>(longest);
    if (n * m > 65536) return static_cast<double>(std::max(n, m)) / static_cast<double>(longest);
    std::vector<size_t> prev(m + 1), cur(m + 1);
    for (size_t j = 0; j <= m; ++j) prev[j] = j;
    for (size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= m; ++j) {
            size_t cost = x[pre + i - 1] == y[pre + j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        }
        std::swap(prev, cur);
    }
    return static_cast<double>(prev[m]) / static_cast<double>(longest);
}

// Java's Double.toString.
std::string javaDouble(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    bool neg = sci[0] == '-';
    if (neg) sci.erase(0, 1);
    size_t e = sci.find('e');
    int exp = std::atoi(sci.c_str() + e + 1);
    std::string digits;
    for (size_t i = 0; i < e; ++i) {
        if (sci[i] != '.') digits += sci[i];
    }
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    std::string out = neg ? "-" : "";
    double a = std::fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (exp >= 0) {
            std::string ip =
                digits.substr(0, std::min(digits.size(), static_cast<size_t>(exp) + 1));
            while (ip.size() < static_cast<size_t>(exp) + 1) ip += '0';
            std::string fp =
                digits.size() > static_cast<size_t>(exp) + 1 ? digits.substr(exp + 1) : "0";
            out += ip + "." + fp;
        } else {
            out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
        }
    } else {
        out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
               std::to_string(exp);
    }
    return out;
}

template <typename J>
std::string numberText(const J& j) {
    if (j.is_number_float()) return javaDouble(j.template get<double>());
    return compactJson(j);
}

constexpr int kMaxRenderDepth = 512;

// Jackson's default pretty printer: objects one member per line (two-space indent, " : "),
// arrays inline ("[ 1, 2 ]"), empty containers "{ }" and "[ ]".
template <typename J>
bool jacksonPretty(const J& j, std::string& out, int level) {
    if (level > kMaxRenderDepth) return false;
    if (j.is_object()) {
        if (j.empty()) {
            out += "{ }";
            return true;
        }
        out += '{';
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) out += ',';
            first = false;
            out += '\n';
            out.append(static_cast<size_t>(level + 1) * 2, ' ');
            appendJacksonString(out, it.key());
            out += " : ";
            if (!jacksonPretty(it.value(), out, level + 1)) return false;
        }
        out += '\n';
        out.append(static_cast<size_t>(level) * 2, ' ');
        out += '}';
    } else if (j.is_array()) {
        if (j.empty()) {
            out += "[ ]";
            return true;
        }
        out += "[ ";
        bool first = true;
        for (const auto& v : j) {
            if (!first) out += ", ";
            first = false;
            if (!jacksonPretty(v, out, level)) return false;
        }
        out += " ]";
    } else if (j.is_string()) {
        appendJacksonString(out, j.template get_ref<const std::string&>());
    } else if (j.is_number()) {
        out += numberText(j);
    } else {
        out += compactJson(j);
    }
    return true;
}

template <typename J>
std::string prettyJson(const J& j) {
    std::string out;
    if (!jacksonPretty(j, out, 0)) return compactJson(j);
    return out;
}

// Compact JSON as json-smart writes its arrays (JSONArray.toString).
bool smartJson(const Json& j, std::string& out, int depth) {
    if (depth > kMaxRenderDepth) return false;
    if (j.is_object()) {
        out += '{';
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) out += ',';
            first = false;
            appendJacksonString(out, it.key());
            out += ':';
            if (!smartJson(it.value(), out, depth + 1)) return false;
        }
        out += '}';
    } else if (j.is_array()) {
        out += '[';
        bool first = true;
        for (const auto& v : j) {
            if (!first) out += ',';
            first = false;
            if (!smartJson(v, out, depth + 1)) return false;
        }
        out += ']';
    } else if (j.is_string()) {
        appendJacksonString(out, j.template get_ref<const std::string&>());
    } else if (j.is_number()) {
        out += numberText(j);
    } else {
        out += compactJson(j);
    }
    return true;
}

// Object.toString() of a value JsonPath hands back: maps print as "{k=v, …}", lists as JSON.
bool javaToString(const Json& j, std::string& out, int depth) {
    if (depth > kMaxRenderDepth) return false;
    if (j.is_object()) {
        out += '{';
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) out += ", ";
            first = false;
            out += it.key();
            out += '=';
            if (!javaToString(it.value(), out, depth + 1)) return false;
        }
        out += '}';
        return true;
    }
    if (j.is_array()) return smartJson(j, out, depth);
    if (j.is_string()) {
        out += j.get_ref<const std::string&>();
    } else if (j.is_number()) {
        out += numberText(j);
    } else {
        out += compactJson(j);
    }
    return true;
}

// Node count, as WireMock's Json.deepSize approximately counts it; iterative so that hostile
// bodies cannot exhaust the stack.
int deepSize(const Json* root) {
    if (root == nullptr) return 0;
    int count = 0;
    std::vector<const Json*> stack{root};
    while (!stack.empty()) {
        const Json* n = stack.back();
        stack.pop_back();
        ++count;
        if (n->is_structured()) {
            for (const auto& c : *n) stack.push_back(&c);
        }
    }
    return count;
}

int jsonDepth(const Json& root) {
    int maxDepth = 0;
    std::vector<std::pair<const Json*, int>> stack{{&root, 1}};
    while (!stack.empty()) {
        auto [n, d] = stack.back();
        stack.pop_back();
        maxDepth = std::max(maxDepth, d);
        if (n->is_structured()) {
            for (const auto& c : *n) stack.emplace_back(&c, d + 1);
        }
    }
    return maxDepth;
}

// How forgiving a JSON reader is: WireMock's Jackson accepts single quotes and ignores what follows
// the first value; JsonPath's json-smart (permissive) also takes bare words and trailing commas,
// and reads text that is no container at all as a string.
enum class JsonDialect { kJackson, kSmart };

// Rewrites lenient JSON into strict JSON for the dialect; std::nullopt when it cannot.
std::optional<std::string> relaxJson(std::string_view in, JsonDialect dialect) {
    bool smart = dialect == JsonDialect::kSmart;
    std::string out;
    out.reserve(in.size() + 16);
    int depth = 0;
    size_t i = 0;
    auto dropTrailingComma = [&] {
        size_t k = out.find_last_not_of(" \t\r\n");
        if (smart && k != std::string::npos && out[k] == ',') out.erase(k, 1);
    };
    auto valueDone = [&] { return depth == 0; };
    while (i < in.size()) {
        char c = in[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            out += c;
            ++i;
        } else if (c == '/' && i + 1 < in.size() && (in[i + 1] == '/' || in[i + 1] == '*')) {
            size_t endPos = in[i + 1] == '/' ? in.find('\n', i) : in.find("*/", i + 2);
            i = endPos == std::string_view::npos ? in.size() : endPos + (in[i + 1] == '/' ? 0 : 2);
        } else if (c == '"' || c == '\'') {
            out += '"';
            size_t j = i + 1;
            for (; j < in.size() && in[j] != c; ++j) {
                if (in[j] == '\\' && j + 1 < in.size()) {
                    if (in[j + 1] == '\'')
                        out += '\'';
                    else
                        out.append(in.substr(j, 2));
                    ++j;
                } else if (in[j] == '"') {
                    out += "\\\"";
                } else {
                    out += in[j];
                }
            }
            if (j >= in.size()) return std::nullopt;
            out += '"';
            i = j + 1;
            if (valueDone()) return out;
        } else if (c == '{' || c == '[') {
            ++depth;
            out += c;
            ++i;
        } else if (c == '}' || c == ']') {
            dropTrailingComma();
            out += c;
            ++i;
            if (--depth <= 0) return depth == 0 ? std::optional(out) : std::nullopt;
        } else if (c == ',' || c == ':') {
            out += c;
            ++i;
        } else {
            size_t j = i;
            while (j < in.size() && (std::isalnum(static_cast<unsigned char>(in[j])) ||
                                     std::strchr("_$+-.", in[j]) != nullptr))
                ++j;
            if (j == i) return std::nullopt;
            std::string_view word = in.substr(i, j - i);
            bool literal = word == "true" || word == "false" || word == "null" ||
                           std::isdigit(static_cast<unsigned char>(word[0])) || word[0] == '-';
            if (literal || !smart) {
                out += word;
            } else {
                out += '"';
                out += word;
                out += '"';
            }
            i = j;
            if (valueDone()) return out;
        }
    }
    return std::nullopt;
}

// The body parsed once per thread and request: several JSON matchers on one stub (and across
// stubs) read the same body. nullptr when it is not JSON in the dialect.
std::shared_ptr<const Json> parseJsonCached(std::string_view text,
                                            JsonDialect dialect = JsonDialect::kJackson) {
    struct Entry {
        std::string text;
        std::shared_ptr<const Json> json;
        bool valid = false;
    };
    thread_local Entry cache[2];
    Entry& e = cache[static_cast<int>(dialect)];
    if (e.valid && e.text == text) return e.json;
    Json j = Json::parse(text.begin(), text.end(), nullptr, false, true);
    if (j.is_discarded()) {
        if (auto relaxed = relaxJson(text, dialect))
            j = Json::parse(*relaxed, nullptr, false, true);
        if (j.is_discarded() && dialect == JsonDialect::kSmart) {
            std::string_view t = trimJava(text);
            if (!t.empty() && t[0] != '{' && t[0] != '[') j = std::string(t);
        }
    }
    std::shared_ptr<const Json> parsed =
        j.is_discarded() ? nullptr : std::make_shared<const Json>(std::move(j));
    if (text.size() > (size_t{1} << 20)) return parsed;  // not worth pinning per thread
    e.json = parsed;
    e.text.assign(text);
    e.valid = true;
    return parsed;
}

std::string parseErrorMessage(const std::string& text) {
    try {
        Json ignored = Json::parse(text, nullptr, true, true);
    } catch (const Json::parse_error& e) {
        return e.what();
    }
    return "invalid JSON";
}

RegexPtr compileJavaRegex(const std::string& pattern, const std::string& pointer, bool dotAll) {
    std::string error;
    RegexPtr rx = Regex::compile(dotAll ? "(?s)" + pattern : pattern, &error);
    if (rx) return rx;
    std::string plainError;
    if (dotAll && !Regex::compile(pattern, &plainError)) error = plainError;
    throw PatternError(pointer, error);
}

// ---------------------------------------------------------------------------------------------
// Base64 as java.util.Base64's basic decoder reads it
// ---------------------------------------------------------------------------------------------

std::string base64Decode(std::string_view s, std::string* error) {
    auto value = [](unsigned char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return c == '=' ? -2 : -1;
    };
    std::string out;
    uint32_t bits = 0;
    int shift = 18;
    size_t sp = 0;
    while (sp < s.size()) {
        auto c = static_cast<unsigned char>(s[sp++]);
        int v = value(c);
        if (v == -2) {  // padding: "xx==" or "xxx=" ends the data
            if ((shift == 6 && (sp == s.size() || s[sp++] != '=')) || shift == 18) {
                *error = "Input byte array has wrong 4-byte ending unit";
                return {};
            }
            break;
        }
        if (v < 0) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "%x", c);
            *error = std::string("Illegal base64 character ") + hex;
            return {};
        }
        bits |= static_cast<uint32_t>(v) << shift;
        shift -= 6;
        if (shift < 0) {
            out += static_cast<char>(bits >> 16);
            out += static_cast<char>((bits >> 8) & 0xFF);
            out += static_cast<char>(bits & 0xFF);
            bits = 0;
            shift = 18;
        }
    }
    if (shift == 6) {
        out += static_cast<char>(bits >> 16);
    } else if (shift == 0) {
        out += static_cast<char>(bits >> 16);
        out += static_cast<char>((bits >> 8) & 0xFF);
    } else if (shift == 12) {
        *error = "Last unit does not have enough valid bits";
        return {};
    }
    if (sp < s.size()) {
        *error = "Input byte array has incorrect ending byte at " + std::to_string(sp);
        return {};
    }
    return out;
}

std::string base64Encode(std::string_view s) {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
        uint32_t v = (static_cast<unsigned char>(s[i]) << 16) |
                     (static_cast<unsigned char>(s[i + 1]) << 8) |
                     static_cast<unsigned char>(s[i + 2]);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i + 1 == s.size()) {
        uint32_t v = static_cast<unsigned char>(s[i]) << 16;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == s.size()) {
        uint32_t v =
            (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Date-times (java.time as WireMock uses it)
// ---------------------------------------------------------------------------------------------

int64_t daysFromCivil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civilFromDays(int64_t z, int64_t& y, int& m, int& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
}

bool isLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int monthLength(int64_t y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A LocalDateTime (zoned == false) or an OffsetDateTime (zoned == true).
struct DateTime {
    int64_t local = 0;  // seconds since 1970-01-01T00:00 of the wall-clock date-time
    int32_t nanos = 0;
    int32_t offset = 0;  // seconds east of UTC
    bool zoned = false;
    int64_t instant() const { return local - offset; }
};

DateTime makeLocal(int64_t y, int mo, int d, int h, int mi, int s, int32_t nanos) {
    DateTime dt;
    dt.local = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    dt.nanos = nanos;
    return dt;
}

int compareTimes(int64_t aSec, int32_t aNanos, int64_t bSec, int32_t bNanos) {
    if (aSec != bSec) return aSec < bSec ? -1 : 1;
    if (aNanos != bNanos) return aNanos < bNanos ? -1 : 1;
    return 0;
}

double millisBetween(int64_t aSec, int32_t aNanos, int64_t bSec, int32_t bNanos) {
    return static_cast<double>((bSec - aSec) * 1000 + (bNanos - aNanos) / 1'000'000);
}

// A cursor over the text being parsed.
struct Scan {
    std::string_view s;
    size_t pos = 0;
    bool done() const { return pos >= s.size(); }
    char peek() const { return done() ? '\0' : s[pos]; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++pos;
        return true;
    }
    bool eatIgnoreCase(char c) {
        if (std::tolower(static_cast<unsigned char>(peek())) != std::tolower(c)) return false;
        ++pos;
        return true;
    }
    bool eatText(std::string_view t) {
        if (s.substr(pos, t.size()) != t) return false;
        pos += t.size();
        return true;
    }
    // Between min and max digits (greedy).
    bool digits(size_t min, size_t max, int64_t& out) {
        size_t n = 0;
        int64_t v = 0;
        while (n < max && pos + n < s.size() &&
               std::isdigit(static_cast<unsigned char>(s[pos + n]))) {
            v = v * 10 + (s[pos + n] - '0');
            ++n;
        }
        if (n < min) return false;
        pos += n;
        out = v;
        return true;
    }
    size_t digitsAhead() const {
        size_t n = 0;
        while (pos + n < s.size() && std::isdigit(static_cast<unsigned char>(s[pos + n]))) ++n;
        return n;
    }
};

bool validTime(int64_t h, int64_t m, int64_t s) { return h <= 23 && m <= 59 && s <= 59; }

// ISO_LOCAL_DATE "uuuu-MM-dd" (strict).
bool isoDate(Scan& sc, int64_t& y, int& mo, int& d) {
    int64_t yy, mm, dd;
    bool neg = sc.eat('-');
    bool plus = !neg && sc.eat('+');
    size_t before = sc.pos;
    if (!sc.digits(4, 9, yy) || (plus && sc.pos - before <= 4) || !sc.eat('-') ||
        !sc.digits(2, 2, mm) || !sc.eat('-') || !sc.digits(2, 2, dd))
        return false;
    if (neg) yy = -yy;
    if (mm < 1 || mm > 12 || dd < 1 || dd > monthLength(yy, static_cast<int>(mm))) return false;
    y = yy;
    mo = static_cast<int>(mm);
    d = static_cast<int>(dd);
    return true;
}

// ISO_LOCAL_TIME "HH:mm[:ss[.fffffffff]]".
bool isoTime(Scan& sc, int& h, int& mi, int& s, int32_t& nanos) {
    int64_t hh, mm, ss = 0;
    if (!sc.digits(2, 2, hh) || !sc.eat(':') || !sc.digits(2, 2, mm)) return false;
    nanos = 0;
    if (sc.eat(':')) {
        if (!sc.digits(2, 2, ss)) return false;
        if (sc.peek() == '.' || sc.peek() == ',') {
            ++sc.pos;
            size_t n = sc.digitsAhead();
            if (n == 0 || n > 9) return false;
            int64_t f;
            sc.digits(n, n, f);
            for (size_t k = n; k < 9; ++k) f *= 10;
            nanos = static_cast<int32_t>(f);
        }
    }
    if (!validTime(hh, mm, ss)) return false;
    h = static_cast<int>(hh);
    mi = static_cast<int>(mm);
    s = static_cast<int>(ss);
    return true;
}

// "Z" or ±HH:MM[:SS].
bool isoOffset(Scan& sc, int32_t& offset) {
    if (sc.eatIgnoreCase('Z')) {
        offset = 0;
        return true;
    }
    char sign = sc.peek();
    if (sign != '+' && sign != '-') return false;
    ++sc.pos;
    int64_t h, m, s = 0;
    if (!sc.digits(2, 2, h) || !sc.eat(':') || !sc.digits(2, 2, m)) return false;
    if (sc.eat(':') && !sc.digits(2, 2, s)) return false;
    if (h > 18 || m > 59 || s > 59) return false;
    offset = static_cast<int32_t>((h * 3600 + m * 60 + s) * (sign == '-' ? -1 : 1));
    return true;
}

std::optional<DateTime> parseIsoZoned(std::string_view text) {
    Scan sc{text};
    int64_t y;
    int mo, d, h, mi, s;
    int32_t nanos, offset;
    if (!isoDate(sc, y, mo, d) || !sc.eatIgnoreCase('T') || !isoTime(sc, h, mi, s, nanos) ||
        !isoOffset(sc, offset))
        return std::nullopt;
    if (sc.eat('[')) {
        size_t close = text.find(']', sc.pos);
        if (close == std::string_view::npos || close + 1 != text.size()) return std::nullopt;
        sc.pos = close + 1;
    }
    if (!sc.done()) return std::nullopt;
    DateTime dt = makeLocal(y, mo, d, h, mi, s, nanos);
    dt.zoned = true;
    dt.offset = offset;
    return dt;
}

std::optional<DateTime> parseIsoLocal(std::string_view text) {
    Scan sc{text};
    int64_t y;
    int mo, d, h = 0, mi = 0, s = 0;
    int32_t nanos = 0;
    // LocalDateTime, LocalDate, YearMonth, Year in turn.
    {
        Scan t = sc;
        if (isoDate(t, y, mo, d)) {
            if (t.done()) return makeLocal(y, mo, d, 0, 0, 0, 0);
            if (t.eatIgnoreCase('T') && isoTime(t, h, mi, s, nanos) && t.done())
                return makeLocal(y, mo, d, h, mi, s, nanos);
            return std::nullopt;
        }
    }
    int64_t yy, mm;
    Scan t = sc;
    bool neg = t.eat('-');
    bool plus = !neg && t.eat('+');
    size_t before = t.pos;
    if (!t.digits(4, 9, yy) || (plus && t.pos - before <= 4)) return std::nullopt;
    if (neg) yy = -yy;
    if (t.done()) return makeLocal(yy, 1, 1, 0, 0, 0, 0);
    if (t.eat('-') && t.digits(2, 2, mm) && t.done() && mm >= 1 && mm <= 12)
        return makeLocal(yy, static_cast<int>(mm), 1, 0, 0, 0, 0);
    return std::nullopt;
}

constexpr std::string_view kMonthsShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::string_view kMonthsLong[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
constexpr std::string_view kDaysShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::string_view kDaysLong[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday"};

// 0-based index of the name found at the cursor, or -1.
template <size_t N>
int eatName(Scan& sc, const std::string_view (&names)[N]) {
    for (size_t i = 0; i < N; ++i) {
        if (sc.eatText(names[i])) return static_cast<int>(i);
    }
    return -1;
}

int dayOfWeek(int64_t days) {  // 0 = Monday
    return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

bool zoneName(Scan& sc, int32_t& offset) {
    static constexpr std::pair<std::string_view, int> kZones[] = {
        {"GMT", 0},         {"UTC", 0},         {"UT", 0},          {"Z", 0},
        {"EST", -5 * 3600}, {"EDT", -4 * 3600}, {"CST", -6 * 3600}, {"CDT", -5 * 3600},
        {"MST", -7 * 3600}, {"MDT", -6 * 3600}, {"PST", -8 * 3600}, {"PDT", -7 * 3600},
        {"CET", 3600},      {"CEST", 7200},     {"BST", 3600},      {"EET", 7200},
        {"EEST", 3 * 3600}};
    // Longest names first so "CEST" is not read as "CET".
    for (int pass = 4; pass >= 1; --pass) {
        for (const auto& [name, off] : kZones) {
            if (static_cast<int>(name.size()) == pass && sc.eatText(name)) {
                offset = off;
                return true;
            }
        }
    }
    return false;
}

// RFC_1123_DATE_TIME: "[EEE, ]d MMM yyyy HH:mm[:ss] (GMT|±HHMM)".
std::optional<DateTime> parseRfc1123(std::string_view text) {
    Scan sc{text};
    int dow = -1;
    {
        Scan t = sc;
        int idx = eatName(t, kDaysShort);
        if (idx >= 0 && t.eat(',') && t.eat(' ')) {
            dow = idx;
            sc = t;
        }
    }
    int64_t d, y, h, mi, s = 0;
    if (!sc.digits(1, 2, d) || !sc.eat(' ')) return std::nullopt;
    int mo = eatName(sc, kMonthsShort);
    if (mo < 0 || !sc.eat(' ') || !sc.digits(4, 4, y) || !sc.eat(' ') || !sc.digits(2, 2, h) ||
        !sc.eat(':') || !sc.digits(2, 2, mi))
        return std::nullopt;
    if (sc.eat(':') && !sc.digits(2, 2, s)) return std::nullopt;
    if (!sc.eat(' ')) return std::nullopt;
    int32_t offset = 0;
    if (!sc.eatText("GMT")) {
        char sign = sc.peek();
        int64_t hh, mm;
        if ((sign != '+' && sign != '-') || (++sc.pos, !sc.digits(2, 2, hh)) ||
            !sc.digits(2, 2, mm))
            return std::nullopt;
        offset = static_cast<int32_t>((hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1));
    }
    if (!sc.done() || d < 1 || d > monthLength(y, mo + 1) || !validTime(h, mi, s))
        return std::nullopt;
    DateTime dt = makeLocal(y, mo + 1, static_cast<int>(d), static_cast<int>(h),
                            static_cast<int>(mi), static_cast<int>(s), 0);
    if (dow >= 0 && dayOfWeek(floorDiv(dt.local, 86400)) != dow) return std::nullopt;
    dt.zoned = true;
    dt.offset = offset;
    return dt;
}

// A java.time.format.DateTimeFormatter pattern ("dd/MM/yyyy HH:mm"), or "unix" / "epoch".
struct DateFormat {
    struct Token {
        char letter = 0;  // 0: literal text
        int count = 0;
        std::string literal;
    };
    std::vector<Token> tokens;
    enum class Kind { kPattern, kUnix, kEpoch } kind = Kind::kPattern;
    int32_t defaultOffset = 0;
    bool hasDefaultZone = false;
};

DateFormat compileDateFormat(std::string_view p, std::string* error) {
    DateFormat f;
    if (equalsIgnoreCase(p, "unix")) {
        f.kind = DateFormat::Kind::kUnix;
        return f;
    }
    if (equalsIgnoreCase(p, "epoch")) {
        f.kind = DateFormat::Kind::kEpoch;
        return f;
    }
    static constexpr std::string_view kJavaLetters = "GuyDMLdQqYwWEecFahKkHmsSAnNVvzOXxZpB";
    static constexpr std::string_view kSupported = "GuyMLdEahKkHmsSVzXxZ";
    char unsupported = 0;  // a letter java.time knows but this reader does not
    for (size_t i = 0; i < p.size();) {
        char c = p[i];
        if (c == '\'') {
            std::string lit;
            size_t j = i + 1;
            if (j < p.size() && p[j] == '\'') {
                lit = "'";
                j += 1;
            } else {
                for (; j < p.size(); ++j) {
                    if (p[j] == '\'') {
                        if (j + 1 < p.size() && p[j + 1] == '\'') {
                            lit += '\'';
                            ++j;
                            continue;
                        }
                        break;
                    }
                    lit += p[j];
                }
                if (j >= p.size()) {
                    *error = "Pattern ends with an incomplete string literal: " + std::string(p);
                    return f;
                }
                ++j;
            }
            f.tokens.push_back({0, 0, lit});
            i = j;
            continue;
        }
        if (std::isalpha(static_cast<unsigned char>(c))) {
            size_t j = i;
            while (j < p.size() && p[j] == c) ++j;
            if (kJavaLetters.find(c) == std::string_view::npos) {
                *error = std::string("Unknown pattern letter: ") + c;
                return f;
            }
            if (kSupported.find(c) == std::string_view::npos && unsupported == 0) unsupported = c;
            f.tokens.push_back({c, static_cast<int>(j - i), {}});
            i = j;
            continue;
        }
        if (c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
            *error = std::string("Pattern includes reserved character: '") + c + "'";
            return f;
        }
        if (!f.tokens.empty() && f.tokens.back().letter == 0) {
            f.tokens.back().literal += c;
        } else {
            f.tokens.push_back({0, 0, std::string(1, c)});
        }
        ++i;
    }
    if (unsupported != 0) *error = std::string("Unsupported pattern letter: ") + unsupported;
    return f;
}

bool isNumericToken(const DateFormat::Token& t) {
    switch (t.letter) {
        case 'y':
        case 'u':
        case 'd':
        case 'H':
        case 'h':
        case 'K':
        case 'k':
        case 'm':
        case 's':
        case 'S':
            return true;
        case 'M':
        case 'L':
            return t.count <= 2;
        default:
            return false;
    }
}

int fixedWidth(const DateFormat::Token& t) {
    if (t.letter == 'S') return t.count;
    if ((t.letter == 'y' || t.letter == 'u') && t.count == 2) return 2;
    if (t.letter != 'y' && t.letter != 'u' && t.count == 2) return 2;
    return 0;
}

struct DateFields {
    std::optional<int64_t> year;
    std::optional<int> month, day, hour, hour12, ampm, minute, second;
    int32_t nanos = 0;
    std::optional<int32_t> offset;
    std::optional<int> dow;
};

bool parseOffset(Scan& sc, char letter, int count, int32_t& offset) {
    bool zAllowed = letter == 'X' || (letter == 'Z' && count == 5);
    if (zAllowed && sc.eat('Z')) {
        offset = 0;
        return true;
    }
    if (letter == 'Z' && count == 4) {
        if (!sc.eatText("GMT")) return false;
        if (sc.peek() != '+' && sc.peek() != '-') {
            offset = 0;
            return true;
        }
    }
    char sign = sc.peek();
    if (sign != '+' && sign != '-') return false;
    ++sc.pos;
    int64_t h, m = 0, s = 0;
    if (!sc.digits(2, 2, h)) return false;
    bool colon = (letter == 'X' || letter == 'x') ? count == 3 || count == 5 : count >= 4;
    bool minutesOptional = (letter == 'X' || letter == 'x') && count == 1;
    if (colon) {
        if (!sc.eat(':') || !sc.digits(2, 2, m)) return false;
        if ((count == 5) && sc.eat(':') && !sc.digits(2, 2, s)) return false;
    } else if (minutesOptional) {
        sc.digits(2, 2, m);
    } else {
        if (!sc.digits(2, 2, m)) return false;
        if (count == 4 && (letter == 'X' || letter == 'x')) sc.digits(2, 2, s);
    }
    if (h > 18 || m > 59 || s > 59) return false;
    offset = static_cast<int32_t>((h * 3600 + m * 60 + s) * (sign == '-' ? -1 : 1));
    return true;
}

bool parseFields(const DateFormat& f, std::string_view text, DateFields& out,
                 bool prefixOnly = false) {
    Scan sc{text};
    for (size_t i = 0; i < f.tokens.size(); ++i) {
        const auto& t = f.tokens[i];
        if (t.letter == 0) {
            if (!sc.eatText(t.literal)) return false;
            continue;
        }
        if (isNumericToken(t)) {
            int width = fixedWidth(t);
            int64_t v;
            if (width > 0) {
                if (!sc.digits(static_cast<size_t>(width), static_cast<size_t>(width), v))
                    return false;
            } else {
                // Leave room for fixed-width numbers that follow without a separator.
                size_t reserve = 0;
                for (size_t k = i + 1; k < f.tokens.size() && isNumericToken(f.tokens[k]); ++k) {
                    int w = fixedWidth(f.tokens[k]);
                    if (w == 0) break;
                    reserve += static_cast<size_t>(w);
                }
                size_t avail = sc.digitsAhead();
                size_t min = static_cast<size_t>(
                    t.letter == 'y' || t.letter == 'u' ? std::min(t.count, 4) : 1);
                if (avail < reserve + min) return false;
                size_t take = std::min<size_t>(avail - reserve, 18);
                sc.digits(min, take, v);
            }
            switch (t.letter) {
                case 'y':
                case 'u':
                    out.year = t.count == 2 ? 2000 + v : v;
                    break;
                case 'M':
                case 'L':
                    out.month = static_cast<int>(v);
                    break;
                case 'd':
                    out.day = static_cast<int>(v);
                    break;
                case 'H':
                    out.hour = static_cast<int>(v);
                    break;
                case 'k':
                    out.hour = static_cast<int>(v == 24 ? 0 : v);
                    break;
                case 'h':
                    out.hour12 = static_cast<int>(v == 12 ? 0 : v);
                    break;
                case 'K':
                    out.hour12 = static_cast<int>(v);
                    break;
                case 'm':
                    out.minute = static_cast<int>(v);
                    break;
                case 's':
                    out.second = static_cast<int>(v);
                    break;
                case 'S': {
                    for (int k = t.count; k < 9; ++k) v *= 10;
                    out.nanos = static_cast<int32_t>(v);
                    break;
                }
                default:
                    break;
            }
            continue;
        }
        switch (t.letter) {
            case 'M':
            case 'L': {
                int idx = t.count == 3 ? eatName(sc, kMonthsShort) : eatName(sc, kMonthsLong);
                if (idx < 0) return false;
                out.month = idx + 1;
                break;
            }
            case 'E': {
                int idx = t.count == 4 ? eatName(sc, kDaysLong) : eatName(sc, kDaysShort);
                if (idx < 0) return false;
                out.dow = idx;
                break;
            }
            case 'a':
                if (sc.eatText("AM"))
                    out.ampm = 0;
                else if (sc.eatText("PM"))
                    out.ampm = 1;
                else
                    return false;
                break;
            case 'G':
                if (!sc.eatText("AD")) return false;
                break;
            case 'X':
            case 'x':
            case 'Z': {
                int32_t off;
                if (!parseOffset(sc, t.letter, t.count, off)) return false;
                out.offset = off;
                break;
            }
            case 'z':
            case 'V': {
                int32_t off;
                if (zoneName(sc, off) || parseOffset(sc, 'X', 3, off)) {
                    out.offset = off;
                    break;
                }
                return false;
            }
            default:
                return false;
        }
    }
    return prefixOnly || sc.done();
}

// What the fields resolve to, as the java.time types WireMock tries in turn.
enum class DateShape { kZoned, kDateTime, kDate, kYearMonth, kYear };

std::optional<DateTime> resolveFields(const DateFields& f, DateShape shape, const DateFormat& fmt) {
    if (!f.year) return std::nullopt;
    int64_t y = *f.year;
    int mo = 1, d = 1;
    if (shape != DateShape::kYear) {
        if (!f.month || *f.month < 1 || *f.month > 12) return std::nullopt;
        mo = *f.month;
        if (shape != DateShape::kYearMonth) {
            if (!f.day || *f.day < 1 || *f.day > 31) return std::nullopt;
            d = std::min(*f.day, monthLength(y, mo));
        }
    }
    int h = 0, mi = 0, s = 0;
    if (shape == DateShape::kZoned || shape == DateShape::kDateTime) {
        if (f.hour) {
            h = *f.hour;
        } else if (f.hour12 && f.ampm) {
            h = *f.hour12 + 12 * *f.ampm;
        } else {
            return std::nullopt;
        }
        mi = f.minute.value_or(0);
        s = f.second.value_or(0);
        if (!validTime(h, mi, s)) return std::nullopt;
    }
    DateTime dt =
        makeLocal(y, mo, d, h, mi, s,
                  shape == DateShape::kZoned || shape == DateShape::kDateTime ? f.nanos : 0);
    if (f.dow && dayOfWeek(floorDiv(dt.local, 86400)) != *f.dow) return std::nullopt;
    if (shape == DateShape::kZoned) {
        if (!f.offset && !fmt.hasDefaultZone) return std::nullopt;
        dt.zoned = true;
        dt.offset = f.offset.value_or(fmt.defaultOffset);
    }
    return dt;
}

std::optional<DateTime> parseEpoch(const DateFormat& f, std::string_view text, bool zoned) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    int64_t ms = f.kind == DateFormat::Kind::kUnix ? v * 1000 : v;
    DateTime dt;
    dt.local = floorDiv(ms, 1000);
    dt.nanos = static_cast<int32_t>((ms - dt.local * 1000) * 1'000'000);
    dt.zoned = zoned;
    return dt;
}

std::optional<DateTime> parseZonedWith(const DateFormat& f, std::string_view text) {
    if (f.kind != DateFormat::Kind::kPattern) return parseEpoch(f, text, true);
    DateFields fields;
    if (!parseFields(f, text, fields)) return std::nullopt;
    return resolveFields(fields, DateShape::kZoned, f);
}

std::optional<DateTime> parseLocalWith(const DateFormat& f, std::string_view text) {
    if (f.kind != DateFormat::Kind::kPattern) return parseEpoch(f, text, false);
    DateFields fields;
    if (!parseFields(f, text, fields)) return std::nullopt;
    for (DateShape shape :
         {DateShape::kDateTime, DateShape::kDate, DateShape::kYearMonth, DateShape::kYear}) {
        if (auto dt = resolveFields(fields, shape, f)) return dt;
    }
    return std::nullopt;
}

const std::vector<DateFormat>& httpDateFormats() {
    static const std::vector<DateFormat> formats = [] {
        std::string error;
        std::vector<DateFormat> v;
        v.push_back(compileDateFormat("EEEE, dd-MMM-yy HH:mm:ss zzz", &error));
        for (const char* p : {"EEE MMM dd HH:mm:ss yyyy", "EEE MMM  d HH:mm:ss yyyy"}) {
            DateFormat f = compileDateFormat(p, &error);
            f.hasDefaultZone = true;
            v.push_back(std::move(f));
        }
        return v;
    }();
    return formats;
}

// WireMock's DateTimeParser.ZONED_PARSERS, in order.
std::optional<DateTime> parseZonedDefault(std::string_view text) {
    if (auto dt = parseIsoZoned(text)) return dt;
    if (auto dt = parseRfc1123(text)) return dt;
    for (const auto& f : httpDateFormats()) {
        if (auto dt = parseZonedWith(f, text)) return dt;
    }
    return std::nullopt;
}

enum class Truncation {
    kFirstSecondOfMinute,
    kFirstMinuteOfHour,
    kFirstHourOfDay,
    kFirstDayOfMonth,
    kFirstDayOfNextMonth,
    kLastDayOfMonth,
    kFirstDayOfYear,
    kFirstDayOfNextYear,
    kLastDayOfYear,
};

std::optional<Truncation> parseTruncation(const std::string& spec) {
    static constexpr std::pair<std::string_view, Truncation> kNames[] = {
        {"FIRST_SECOND_OF_MINUTE", Truncation::kFirstSecondOfMinute},
        {"FIRST_MINUTE_OF_HOUR", Truncation::kFirstMinuteOfHour},
        {"FIRST_HOUR_OF_DAY", Truncation::kFirstHourOfDay},
        {"FIRST_DAY_OF_MONTH", Truncation::kFirstDayOfMonth},
        {"FIRST_DAY_OF_NEXT_MONTH", Truncation::kFirstDayOfNextMonth},
        {"LAST_DAY_OF_MONTH", Truncation::kLastDayOfMonth},
        {"FIRST_DAY_OF_YEAR", Truncation::kFirstDayOfYear},
        {"FIRST_DAY_OF_NEXT_YEAR", Truncation::kFirstDayOfNextYear},
        {"LAST_DAY_OF_YEAR", Truncation::kLastDayOfYear}};
    std::string key = toUpper(spec);
    std::replace(key.begin(), key.end(), ' ', '_');
    for (const auto& [name, t] : kNames) {
        if (key == name) return t;
    }
    return std::nullopt;
}

DateTime truncate(DateTime dt, Truncation t) {
    int64_t days = floorDiv(dt.local, 86400);
    int64_t secs = dt.local - days * 86400;
    int64_t y;
    int m, d;
    civilFromDays(days, y, m, d);
    dt.nanos = 0;
    switch (t) {
        case Truncation::kFirstSecondOfMinute:
            dt.local = days * 86400 + secs / 60 * 60;
            return dt;
        case Truncation::kFirstMinuteOfHour:
            dt.local = days * 86400 + secs / 3600 * 3600;
            return dt;
        case Truncation::kFirstHourOfDay:
            break;
        case Truncation::kFirstDayOfMonth:
            d = 1;
            break;
        case Truncation::kFirstDayOfNextMonth:
            d = 1;
            if (++m > 12) m = 1, ++y;
            break;
        case Truncation::kLastDayOfMonth:
            d = monthLength(y, m);
            break;
        case Truncation::kFirstDayOfYear:
            m = 1, d = 1;
            break;
        case Truncation::kFirstDayOfNextYear:
            m = 1, d = 1, ++y;
            break;
        case Truncation::kLastDayOfYear:
            m = 12, d = 31;
            break;
    }
    dt.local = daysFromCivil(y, m, d) * 86400;
    return dt;
}

enum class TimeUnit { kSeconds, kMinutes, kHours, kDays, kMonths, kYears };

std::optional<TimeUnit> parseTimeUnit(const std::string& s) {
    static constexpr std::pair<std::string_view, TimeUnit> kUnits[] = {
        {"SECONDS", TimeUnit::kSeconds}, {"MINUTES", TimeUnit::kMinutes},
        {"HOURS", TimeUnit::kHours},     {"DAYS", TimeUnit::kDays},
        {"MONTHS", TimeUnit::kMonths},   {"YEARS", TimeUnit::kYears}};
    for (const auto& [name, u] : kUnits) {
        if (s == name) return u;
    }
    return std::nullopt;
}

const char* unitName(TimeUnit u) {
    switch (u) {
        case TimeUnit::kSeconds:
            return "seconds";
        case TimeUnit::kMinutes:
            return "minutes";
        case TimeUnit::kHours:
            return "hours";
        case TimeUnit::kDays:
            return "days";
        case TimeUnit::kMonths:
            return "months";
        case TimeUnit::kYears:
            return "years";
    }
    return "";
}

DateTime shift(DateTime dt, int amount, TimeUnit unit) {
    switch (unit) {
        case TimeUnit::kSeconds:
            dt.local += amount;
            return dt;
        case TimeUnit::kMinutes:
            dt.local += int64_t{amount} * 60;
            return dt;
        case TimeUnit::kHours:
            dt.local += int64_t{amount} * 3600;
            return dt;
        case TimeUnit::kDays:
            dt.local += int64_t{amount} * 86400;
            return dt;
        case TimeUnit::kMonths:
        case TimeUnit::kYears: {
            int64_t days = floorDiv(dt.local, 86400);
            int64_t secs = dt.local - days * 86400;
            int64_t y;
            int m, d;
            civilFromDays(days, y, m, d);
            int64_t total =
                y * 12 + (m - 1) + (unit == TimeUnit::kYears ? int64_t{amount} * 12 : amount);
            y = floorDiv(total, 12);
            m = static_cast<int>(total - y * 12) + 1;
            d = std::min(d, monthLength(y, m));
            dt.local = daysFromCivil(y, m, d) * 86400 + secs;
            return dt;
        }
    }
    return dt;
}

DateTime nowUtc() {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
    DateTime dt;
    dt.local = floorDiv(ns, 1'000'000'000);
    dt.nanos = static_cast<int32_t>(ns - dt.local * 1'000'000'000);
    dt.zoned = true;
    return dt;
}

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

constexpr int kMaxXmlDepth = 256;
constexpr unsigned kXmlParseOptions = pugi::parse_default | pugi::parse_ws_pcdata | pugi::parse_pi |
                                      pugi::parse_comments | pugi::parse_doctype;

bool parseXml(std::string_view text, pugi::xml_document& doc, std::string* error) {
    pugi::xml_parse_result r =
        doc.load_buffer(text.data(), text.size(), kXmlParseOptions, pugi::encoding_utf8);
    if (!r) {
        if (error != nullptr)
            *error = std::string(r.description()) + " at offset " + std::to_string(r.offset);
        return false;
    }
    int elements = 0;
    for (pugi::xml_node n = doc.first_child(); n; n = n.next_sibling()) {
        if (n.type() == pugi::node_element) ++elements;
        if ((n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) &&
            !trimJava(n.value()).empty()) {
            if (error != nullptr) *error = "Content is not allowed in prolog.";
            return false;
        }
    }
    if (elements != 1) {
        if (error != nullptr)
            *error = elements == 0 ? "Premature end of file."
                                   : "The markup in the document following the root element "
                                     "must be well-formed.";
        return false;
    }
    return true;
}

void appendXmlEscaped(std::string& out, std::string_view s, bool attribute) {
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                if (attribute)
                    out += "&quot;";
                else
                    out += c;
                break;
            case '\r':
                out += "&#13;";
                break;
            case '\n':
                if (attribute)
                    out += "&#10;";
                else
                    out += c;
                break;
            default:
                out += c;
        }
    }
}

bool isTextNode(const pugi::xml_node& n) {
    return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
}

// The JDK's indenting serializer (indent 2, no XML declaration): an element holding only text
// stays on one line, other content goes one node per line.
bool renderXml(const pugi::xml_node& node, std::string& out, int level, bool pretty = true) {
    if (level > kMaxXmlDepth) return false;
    const char* nl = pretty ? "\n" : "";
    auto indent = [&] {
        if (pretty) out.append(static_cast<size_t>(level) * 2, ' ');
    };
    switch (node.type()) {
        case pugi::node_document:
            for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
                if (c.type() == pugi::node_doctype) continue;
                if (c.type() == pugi::node_pcdata && trimJava(c.value()).empty()) continue;
                if (!renderXml(c, out, level, pretty)) return false;
            }
            return true;
        case pugi::node_element: {
            indent();
            out += '<';
            out += node.name();
            std::vector<pugi::xml_attribute> attrs;
            for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute())
                attrs.push_back(a);
            std::stable_sort(attrs.begin(), attrs.end(), [](const auto& a, const auto& b) {
                return std::strcmp(a.name(), b.name()) < 0;
            });
            for (const auto& a : attrs) {
                out += ' ';
                out += a.name();
                out += "=\"";
                appendXmlEscaped(out, a.value(), true);
                out += '"';
            }
            std::vector<pugi::xml_node> kids;
            bool onlyText = true;
            for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
                kids.push_back(c);
                if (!isTextNode(c)) onlyText = false;
            }
            if (kids.empty()) {
                out += "/>";
                out += nl;
                return true;
            }
            if (onlyText && kids.size() == 1) {
                out += '>';
                if (kids[0].type() == pugi::node_cdata) {
                    out += "<![CDATA[";
                    out += kids[0].value();
                    out += "]]>";
                } else {
                    appendXmlEscaped(out, kids[0].value(), false);
                }
                out += "</";
                out += node.name();
                out += ">";
                out += nl;
                return true;
            }
            out += ">";
            out += nl;
            for (const auto& c : kids) {
                if (c.type() == pugi::node_pcdata && trimJava(c.value()).empty()) continue;
                if (!renderXml(c, out, level + 1, pretty)) return false;
            }
            indent();
            out += "</";
            out += node.name();
            out += ">";
            out += nl;
            return true;
        }
        case pugi::node_pcdata:
            indent();
            appendXmlEscaped(out, pretty ? trimJava(node.value()) : node.value(), false);
            out += nl;
            return true;
        case pugi::node_cdata:
            indent();
            out += "<![CDATA[";
            out += node.value();
            out += "]]>";
            out += nl;
            return true;
        case pugi::node_comment:
            indent();
            out += "<!--";
            out += node.value();
            out += "-->";
            out += nl;
            return true;
        case pugi::node_pi:
            indent();
            out += "<?";
            out += node.name();
            if (*node.value() != '\0') {
                out += ' ';
                out += node.value();
            }
            out += "?>";
            out += nl;
            return true;
        default:
            return true;
    }
}

// How XPath results are rendered for a sub-matcher: text and attributes as their text, elements
// and documents as XML, other nodes as the DOM's toString().
std::string xpathNodeText(const pugi::xpath_node& xn) {
    if (xn.attribute()) return xn.attribute().value();
    pugi::xml_node n = xn.node();
    std::string out;
    switch (n.type()) {
        case pugi::node_pcdata:
            return n.value();
        case pugi::node_element:
        case pugi::node_document:
            renderXml(n, out, 0);
            return out;
        case pugi::node_cdata:
            return std::string("[#cdata-section: ") + n.value() + "]";
        case pugi::node_comment:
            return std::string("[#comment: ") + n.value() + "]";
        case pugi::node_pi:
            return std::string("[") + n.name() + ": " + n.value() + "]";
        default:
            return "";
    }
}

// java.text.NumberFormat.getInstance() (en-US): grouping, at most three fraction digits.
std::string javaNumberFormat(double v) {
    if (std::isnan(v)) return "\xEF\xBF\xBD";
    if (std::isinf(v)) return v > 0 ? "\xE2\x88\x9E" : "-\xE2\x88\x9E";
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    std::string s = buf;
    bool neg = s[0] == '-';
    if (neg) s.erase(0, 1);
    size_t dot = s.find('.');
    std::string ip = s.substr(0, dot), fp = s.substr(dot + 1);
    while (!fp.empty() && fp.back() == '0') fp.pop_back();
    std::string grouped;
    for (size_t i = 0; i < ip.size(); ++i) {
        if (i > 0 && (ip.size() - i) % 3 == 0) grouped += ',';
        grouped += ip[i];
    }
    if (neg && (grouped != "0" || !fp.empty() || std::signbit(v))) grouped = "-" + grouped;
    return fp.empty() ? grouped : grouped + "." + fp;
}

// ---------------------------------------------------------------------------------------------
// Matchers
// ---------------------------------------------------------------------------------------------

class Base : public ValueMatcher {
  public:
    Base(std::string name, std::string expected)
        : name_(std::move(name)), expected_(std::move(expected)) {}
    std::string_view name() const override { return name_; }
    std::string expected() const override { return expected_; }
    bool acceptsAbsent() const override { return match(std::nullopt).matched; }

  private:
    std::string name_;
    std::string expected_;
};

class EqualTo final : public Base {
  public:
    EqualTo(std::string value, bool caseInsensitive)
        : Base("equalTo", value), value_(std::move(value)), ci_(caseInsensitive) {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual) return MatchResult::miss();
        bool ok = ci_ ? equalsIgnoreCase(*actual, value_) : *actual == value_;
        if (ok) return MatchResult::exact();
        return MatchResult::miss(normalisedLevenshtein(value_, *actual));
    }
    bool test(std::optional<std::string_view> actual) const override {
        return actual && (ci_ ? equalsIgnoreCase(*actual, value_) : *actual == value_);
    }

  private:
    std::string value_;
    bool ci_;
};

class Contains final : public Base {
  public:
    Contains(std::string value, bool negate)
        : Base(negate ? "doesNotContain" : "contains", value),
          value_(std::move(value)),
          negate_(negate) {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual) return of(negate_);
        bool found = actual->find(value_) != std::string_view::npos;
        return of(found != negate_);
    }

  private:
    std::string value_;
    bool negate_;
};

// The value starts (or ends) with a text.
class Affix final : public Base {
  public:
    Affix(std::string value, bool prefix)
        : Base(prefix ? "startsWith" : "endsWith", value),
          value_(std::move(value)),
          prefix_(prefix) {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        return of(test(actual));
    }
    bool test(std::optional<std::string_view> actual) const override {
        return actual && (prefix_ ? actual->starts_with(value_) : actual->ends_with(value_));
    }

  private:
    std::string value_;
    bool prefix_;
};

class RegexMatch final : public Base {
  public:
    RegexMatch(std::string pattern, RegexPtr rx, bool negate)
        : Base(negate ? "doesNotMatch" : "matches", std::move(pattern)),
          rx_(std::move(rx)),
          negate_(negate) {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        bool m = actual && rx_->fullMatch(*actual);
        return of(m != negate_);
    }

  private:
    RegexPtr rx_;
    bool negate_;
};

class Absent final : public Base {
  public:
    Absent() : Base("absent", "(absent)") {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        return of(!actual.has_value());
    }
};

class Anything final : public Base {
  public:
    explicit Anything(std::string value) : Base("anything", std::move(value)) {}
    MatchResult match(std::optional<std::string_view>) const override {
        return MatchResult::exact();
    }
};

class Not final : public Base {
  public:
    explicit Not(ValueMatcherPtr inner)
        : Base("not", inner->expected()), inner_(std::move(inner)) {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        return of(!inner_->match(actual).matched);
    }

  private:
    ValueMatcherPtr inner_;
};

std::string logicalExpected(const std::vector<ValueMatcherPtr>& ops, std::string_view op) {
    std::string out;
    for (size_t i = 0; i < ops.size(); ++i) {
        if (i > 0) out += std::string(" ") + std::string(op) + " ";
        out += std::string(ops[i]->name()) + " " + ops[i]->expected();
    }
    return out;
}

class Logical final : public Base {
  public:
    Logical(std::vector<ValueMatcherPtr> ops, bool isAnd)
        : Base(isAnd ? "and" : "or", logicalExpected(ops, isAnd ? "AND" : "OR")),
          ops_(std::move(ops)),
          and_(isAnd) {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        if (and_) {
            bool all = true;
            double sum = 0;
            for (const auto& op : ops_) {
                MatchResult r = op->match(actual);
                all = all && r.matched;
                sum += r.matched ? 0.0 : r.distance;
            }
            return all ? MatchResult::exact()
                       : MatchResult::miss(sum / static_cast<double>(ops_.size()));
        }
        double best = 1.0;
        for (const auto& op : ops_) {
            MatchResult r = op->match(actual);
            if (r.matched) return MatchResult::exact();
            best = std::min(best, r.distance);
        }
        return MatchResult::miss(best);
    }

  private:
    std::vector<ValueMatcherPtr> ops_;
    bool and_;
};

// --- equalToJson ------------------------------------------------------------------------------

struct JsonCompare {
    bool ignoreOrder = false;
    bool ignoreExtra = false;
    const std::unordered_map<std::string, RegexPtr>* regexes = nullptr;
};

const RE2& anyNumberRe() {
    static const RE2 re("[$#]\\{json-unit.any-number\\}");
    return re;
}
const RE2& anyBooleanRe() {
    static const RE2 re("[$#]\\{json-unit.any-boolean\\}");
    return re;
}
const RE2& anyStringRe() {
    static const RE2 re("[$#]\\{json-unit.any-string\\}");
    return re;
}
const RE2& regexPlaceholderRe() {
    static const RE2 re("[$#]\\{json-unit.regex\\}(.*)");
    return re;
}

bool isIgnorePlaceholder(const Json& e) {
    if (!e.is_string()) return false;
    const auto& s = e.get_ref<const std::string&>();
    return s == "${json-unit.ignore}" || s == "#{json-unit.ignore}" ||
           s == "${json-unit.ignore-element}";
}

bool numbersEqual(const Json& a, const Json& b) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    if (a.is_number_unsigned() && b.is_number_unsigned())
        return a.get<uint64_t>() == b.get<uint64_t>();
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
        const Json& u = a.is_number_unsigned() ? a : b;
        const Json& s = a.is_number_unsigned() ? b : a;
        return s.get<int64_t>() >= 0 &&
               static_cast<uint64_t>(s.get<int64_t>()) == u.get<uint64_t>();
    }
    return a.get<int64_t>() == b.get<int64_t>();
}

bool jsonTypeMatches(const Json& e, const Json& a) {
    if (e.is_number() && a.is_number()) return true;
    return e.type() == a.type();
}

// JsonUnit's comparison: returns the number of differences, each weighted as WireMock's listener
// weighs them; `stopAtFirst` returns as soon as one is found.
int jsonDiff(const Json& e, const Json& a, const JsonCompare& cfg, bool stopAtFirst);

bool jsonEquivalent(const Json& e, const Json& a, const JsonCompare& cfg) {
    return jsonDiff(e, a, cfg, true) == 0;
}

int weight(const Json* e, const Json* a) {
    int w = std::max(deepSize(e), deepSize(a));
    return w == 0 ? 1 : w;
}

int jsonArrayDiff(const Json& e, const Json& a, const JsonCompare& cfg, bool stopAtFirst) {
    int diffs = 0;
    size_t ne = e.size(), na = a.size();
    if (!cfg.ignoreExtra ? ne != na : ne > na) {
        ++diffs;
        if (stopAtFirst) return diffs;
    }
    if (cfg.ignoreOrder) {
        // Maximum matching of expected items to actual items (Kuhn's algorithm).
        std::vector<std::vector<size_t>> candidates(ne);
        for (size_t i = 0; i < ne; ++i) {
            for (size_t j = 0; j < na; ++j) {
                if (jsonEquivalent(e[i], a[j], cfg)) candidates[i].push_back(j);
            }
        }
        std::vector<int> owner(na, -1);
        std::function<bool(size_t, std::vector<char>&)> augment = [&](size_t i,
                                                                      std::vector<char>& seen) {
            for (size_t j : candidates[i]) {
                if (seen[j]) continue;
                seen[j] = 1;
                if (owner[j] < 0 || augment(static_cast<size_t>(owner[j]), seen)) {
                    owner[j] = static_cast<int>(i);
                    return true;
                }
            }
            return false;
        };
        size_t matched = 0;
        for (size_t i = 0; i < ne; ++i) {
            std::vector<char> seen(na, 0);
            if (augment(i, seen)) ++matched;
        }
        if (matched < ne) {
            diffs += static_cast<int>(ne - matched);
            if (stopAtFirst) return diffs;
        }
        if (!cfg.ignoreExtra && na > matched) diffs += static_cast<int>(na - matched);
        return diffs;
    }
    size_t n = std::min(ne, na);
    for (size_t i = 0; i < n; ++i) {
        diffs += jsonDiff(e[i], a[i], cfg, stopAtFirst);
        if (stopAtFirst && diffs > 0) return diffs;
    }
    for (size_t i = n; i < ne; ++i) diffs += weight(&e[i], nullptr);
    if (!cfg.ignoreExtra) {
        for (size_t i = n; i < na; ++i) diffs += weight(nullptr, &a[i]);
    }
    return diffs;
}

int jsonDiff(const Json& e, const Json& a, const JsonCompare& cfg, bool stopAtFirst) {
    if (e.is_string() && e.get_ref<const std::string&>().find("{json-unit.") != std::string::npos) {
        const auto& s = e.get_ref<const std::string&>();
        if (isIgnorePlaceholder(e)) return 0;
        if (RE2::FullMatch(s, anyNumberRe())) return a.is_number() ? 0 : 1;
        if (RE2::FullMatch(s, anyBooleanRe())) return a.is_boolean() ? 0 : 1;
        if (RE2::FullMatch(s, anyStringRe())) return a.is_string() ? 0 : 1;
        if (startsWith(s, "${json-unit.matches:") || startsWith(s, "#{json-unit.matches:"))
            return 1;
    }
    if (!jsonTypeMatches(e, a)) return weight(&e, &a);
    switch (e.type()) {
        case Json::value_t::object: {
            int diffs = 0;
            for (auto it = e.begin(); it != e.end(); ++it) {
                auto found = a.find(it.key());
                if (found == a.end()) {
                    if (it->is_string() &&
                        it->get_ref<const std::string&>() == "${json-unit.ignore-element}")
                        continue;
                    diffs += weight(&*it, nullptr);
                } else {
                    diffs += jsonDiff(*it, *found, cfg, stopAtFirst);
                }
                if (stopAtFirst && diffs > 0) return diffs;
            }
            if (!cfg.ignoreExtra) {
                for (auto it = a.begin(); it != a.end(); ++it) {
                    if (!e.contains(it.key())) {
                        diffs += weight(nullptr, &*it);
                        if (stopAtFirst) return diffs;
                    }
                }
            }
            return diffs;
        }
        case Json::value_t::array:
            return jsonArrayDiff(e, a, cfg, stopAtFirst);
        case Json::value_t::string: {
            const auto& es = e.get_ref<const std::string&>();
            const auto& as = a.get_ref<const std::string&>();
            std::string pattern;
            if (es.find("{json-unit.regex}") != std::string::npos &&
                RE2::FullMatch(es, regexPlaceholderRe(), &pattern)) {
                auto it = cfg.regexes->find(pattern);
                bool ok = it != cfg.regexes->end() && it->second && it->second->fullMatch(as);
                return ok ? 0 : 1;
            }
            return es == as ? 0 : 1;
        }
        case Json::value_t::boolean:
            return e.get<bool>() == a.get<bool>() ? 0 : 1;
        case Json::value_t::null:
            return 0;
        default:
            return numbersEqual(e, a) ? 0 : 1;
    }
}

void collectJsonRegexes(const Json& j, std::unordered_map<std::string, RegexPtr>& out, int depth) {
    if (depth > kMaxRenderDepth) return;
    if (j.is_string()) {
        std::string pattern;
        if (RE2::FullMatch(j.get_ref<const std::string&>(), regexPlaceholderRe(), &pattern) &&
            out.find(pattern) == out.end()) {
            out[pattern] = Regex::compile(pattern, nullptr);  // a bad one never matches
        }
    } else if (j.is_structured()) {
        for (const auto& c : j) collectJsonRegexes(c, out, depth + 1);
    }
}

class EqualToJson final : public Base {
  public:
    EqualToJson(Json expected, std::string display, bool ignoreOrder, bool ignoreExtra)
        : Base("equalToJson", std::move(display)), expected_(std::move(expected)) {
        cfg_.ignoreOrder = ignoreOrder;
        cfg_.ignoreExtra = ignoreExtra;
        collectJsonRegexes(expected_, regexes_, 0);
        cfg_.regexes = &regexes_;
        expectedSize_ = deepSize(&expected_);
    }
    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual) return MatchResult::miss();
        auto doc = parseJsonCached(*actual);
        if (!doc) return MatchResult::miss();
        return matchJson(*doc);
    }
    MatchResult matchJson(const Json& doc) const {
        if (jsonDiff(expected_, doc, cfg_, true) == 0) return MatchResult::exact();
        int diffs = jsonDiff(expected_, doc, cfg_, false);
        double maxNodes = std::max(expectedSize_, deepSize(&doc));
        return MatchResult::miss(std::min(1.0, diffs / std::max(1.0, maxNodes)));
    }

  private:
    Json expected_;
    std::unordered_map<std::string, RegexPtr> regexes_;
    JsonCompare cfg_;
    int expectedSize_ = 1;
};

// --- matchesJsonPath / matchesXPath -----------------------------------------------------------

// Jayway's definite paths (no wildcards, deep scans, filters, unions or slices) return one value;
// the others return a list.
bool isDefiniteJsonPath(std::string_view e) {
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < e.size(); ++i) {
        char c = e[i];
        if (quote != 0) {
            if (c == '\\')
                ++i;
            else if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '\'' || c == '"')
            quote = c;
        else if (c == '.' && i + 1 < e.size() && e[i + 1] == '.')
            return false;
        else if (c == '*' || c == '?')
            return false;
        else if (c == '[')
            ++depth;
        else if (c == ']')
            --depth;
        else if (depth > 0 && (c == ',' || c == ':'))
            return false;
    }
    return true;
}

class PathMatcherBase : public Base {
  public:
    PathMatcherBase(std::string name, std::string expression, ValueMatcherPtr sub)
        : Base(std::move(name), expression),
          expression_(std::move(expression)),
          sub_(std::move(sub)) {}
    const ValueMatcherPtr& sub() const { return sub_; }
    const std::string& expression() const { return expression_; }

  protected:
    // The best of the sub-matcher's results over the selected values (WireMock takes the first
    // exact match, else the nearest miss).
    MatchResult best(const std::vector<std::optional<std::string>>& values) const {
        double bestDistance = 1.0;
        for (const auto& v : values) {
            MatchResult r = v ? sub_->match(std::string_view(*v)) : sub_->match(std::nullopt);
            if (r.matched) return MatchResult::exact();
            bestDistance = std::min(bestDistance, r.distance);
        }
        return MatchResult::miss(bestDistance);
    }

    std::string expression_;
    ValueMatcherPtr sub_;
};

class JsonPathMatcher final : public PathMatcherBase {
  public:
    JsonPathMatcher(std::string expression, core::JsonPath path, ValueMatcherPtr sub)
        : PathMatcherBase("matchesJsonPath", std::move(expression), std::move(sub)),
          path_(std::move(path)),
          definite_(isDefiniteJsonPath(expression_)),
          subIsEqualToJson_(sub_ && dynamic_cast<const EqualToJson*>(sub_.get()) != nullptr),
          subIsAbsent_(sub_ && dynamic_cast<const Absent*>(sub_.get()) != nullptr) {}

    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual) {
            // No document: nothing is selected, which only an advanced absent accepts.
            return of(subIsAbsent_);
        }
        if (startsWith(trimJava(*actual), "<")) return MatchResult::miss();
        auto doc = parseJsonCached(*actual, JsonDialect::kSmart);
        if (!doc) return MatchResult::miss();
        std::vector<const Json*> nodes;
        path_.evaluate(*doc, nodes);
        if (!sub_) return of(simpleMatch(nodes));

        std::vector<std::optional<std::string>> values;
        if (!render(nodes, values)) return MatchResult::miss();
        if (values.empty() && subIsAbsent_) values.emplace_back(std::nullopt);
        return best(values);
    }

  private:
    bool simpleMatch(const std::vector<const Json*>& nodes) const {
        if (nodes.empty()) return false;
        if (!definite_) return true;
        const Json& v = *nodes.front();
        if (v.is_null()) return false;
        if (v.is_structured()) return !v.empty();
        return true;
    }

    // The selected value(s) as strings, the way WireMock hands them to the sub-matcher.
    bool render(const std::vector<const Json*>& nodes,
                std::vector<std::optional<std::string>>& out) const {
        if (definite_) {
            if (nodes.empty() || nodes.front()->is_null()) return true;
            const Json& v = *nodes.front();
            if (v.is_object() || (v.is_array() && subIsEqualToJson_)) {
                std::string s;
                if (!jacksonPretty(v, s, 0)) return false;
                out.emplace_back(std::move(s));
            } else if (v.is_array()) {
                for (const auto& item : v) {
                    std::string s;
                    if (!javaToString(item, s, 0)) return false;
                    out.emplace_back(std::move(s));
                }
            } else if (v.is_string()) {
                out.emplace_back(v.get<std::string>());
            } else {
                std::string s;
                javaToString(v, s, 0);
                out.emplace_back(std::move(s));
            }
            return true;
        }
        if (subIsEqualToJson_) {
            Json list = Json::array();
            for (const Json* n : nodes) {
                if (jsonDepth(*n) > kMaxRenderDepth) return false;
                list.push_back(*n);
            }
            std::string s;
            if (!jacksonPretty(list, s, 0)) return false;
            out.emplace_back(std::move(s));
            return true;
        }
        for (const Json* n : nodes) {
            std::string s;
            if (!javaToString(*n, s, 0)) return false;
            out.emplace_back(std::move(s));
        }
        return true;
    }

    core::JsonPath path_;
    bool definite_;
    bool subIsEqualToJson_;
    bool subIsAbsent_;
};

// Whether an XPath expression names a prefixed node (p:name or p:*), outside string literals.
bool xpathUsesPrefixes(std::string_view e) {
    char quote = 0;
    auto isNameChar = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
               static_cast<unsigned char>(c) >= 0x80;
    };
    for (size_t i = 0; i < e.size(); ++i) {
        char c = e[i];
        if (quote != 0) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if (c == ':' && i > 0 && i + 1 < e.size() && e[i + 1] != ':' && e[i - 1] != ':' &&
            isNameChar(e[i - 1]) && (isNameChar(e[i + 1]) || e[i + 1] == '*'))
            return true;
    }
    return false;
}

// Names changed for namespace-aware evaluation, to be put back before rendering.
struct Renames {
    std::vector<std::pair<pugi::xml_node, std::string>> elements;
    std::vector<std::pair<pugi::xml_attribute, std::string>> attributes;
    void restore() {
        for (auto& [n, name] : elements) n.set_name(name.c_str());
        for (auto& [a, name] : attributes) a.set_name(name.c_str());
    }
};

class XPathMatcher final : public PathMatcherBase {
  public:
    XPathMatcher(std::string expression,
                 std::vector<std::pair<std::string, std::string>> namespaces, ValueMatcherPtr sub)
        : PathMatcherBase("matchesXPath", std::move(expression), std::move(sub)),
          namespaces_(std::move(namespaces)) {
        if (namespaces_.empty() && xpathUsesPrefixes(expression_)) return;  // unbound prefix
        try {
            query_ = std::make_unique<pugi::xpath_query>(expression_.c_str());
            if (!*query_) query_.reset();
        } catch (const std::exception&) {
            query_.reset();
        }
    }

    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!query_ || !actual || !startsWith(trimJava(*actual), "<")) return MatchResult::miss();
        pugi::xml_document doc;
        if (!parseXml(*actual, doc, nullptr)) return MatchResult::miss();
        Renames renamed;
        if (!namespaces_.empty() && !applyNamespaces(doc, renamed)) return MatchResult::miss();

        std::vector<std::optional<std::string>> values;
        try {
            switch (query_->return_type()) {
                case pugi::xpath_type_node_set: {
                    pugi::xpath_node_set set = query_->evaluate_node_set(doc);
                    if (!sub_) return of(!set.empty());
                    renamed.restore();
                    for (const auto& n : set) values.emplace_back(xpathNodeText(n));
                    break;
                }
                case pugi::xpath_type_number:
                    values.emplace_back(javaNumberFormat(query_->evaluate_number(doc)));
                    break;
                case pugi::xpath_type_string:
                    values.emplace_back(query_->evaluate_string(doc));
                    break;
                case pugi::xpath_type_boolean:
                    values.emplace_back(query_->evaluate_boolean(doc) ? "true" : "false");
                    break;
                default:
                    return MatchResult::miss();
            }
        } catch (const std::exception&) {
            return MatchResult::miss();
        }
        if (!sub_) return MatchResult::exact();  // a number, string or boolean is always a result
        if (values.empty()) return MatchResult::miss();
        return best(values);
    }

  private:
    // Namespace-aware evaluation on a namespace-unaware tree: every element and attribute in a
    // namespace is renamed to the stub's prefix for that namespace (or to a name no expression can
    // spell), so that prefixed name tests select by namespace URI.
    bool applyNamespaces(pugi::xml_document& doc, Renames& renamed) const {
        struct Frame {
            pugi::xml_node node;
            size_t scopeSize;
        };
        std::vector<std::pair<std::string, std::string>> scope;  // prefix → uri
        auto resolve = [&](std::string_view prefix) -> const std::string* {
            for (auto it = scope.rbegin(); it != scope.rend(); ++it) {
                if (it->first == prefix) return &it->second;
            }
            return nullptr;
        };
        auto prefixFor = [&](const std::string& uri) -> const std::string* {
            for (const auto& [p, u] : namespaces_) {
                if (u == uri) return &p;
            }
            return nullptr;
        };
        auto newName = [&](std::string_view qname, bool isElement, bool& ok) -> std::string {
            size_t colon = qname.find(':');
            std::string_view prefix = colon == std::string_view::npos ? "" : qname.substr(0, colon);
            std::string_view local =
                colon == std::string_view::npos ? qname : qname.substr(colon + 1);
            if (prefix == "xml") return std::string(qname);
            if (prefix.empty() && !isElement) return std::string(qname);
            const std::string* uri = resolve(prefix);
            if (uri == nullptr) {
                if (!prefix.empty()) ok = false;
                return std::string(local);
            }
            if (uri->empty()) return std::string(local);
            if (const std::string* p = prefixFor(*uri)) return *p + ":" + std::string(local);
            return "#ns:" + std::string(local);
        };
        std::vector<Frame> stack{{doc.document_element(), 0}};
        bool ok = true;
        while (!stack.empty() && ok) {
            Frame f = stack.back();
            stack.pop_back();
            scope.resize(f.scopeSize);
            if (stack.size() > 100000) return false;
            for (pugi::xml_attribute a = f.node.first_attribute(); a; a = a.next_attribute()) {
                std::string_view n = a.name();
                if (n == "xmlns")
                    scope.emplace_back("", a.value());
                else if (startsWith(n, "xmlns:"))
                    scope.emplace_back(std::string(n.substr(6)), a.value());
            }
            std::string name = newName(f.node.name(), true, ok);
            if (name != f.node.name()) {
                renamed.elements.emplace_back(f.node, f.node.name());
                f.node.set_name(name.c_str());
            }
            for (pugi::xml_attribute a = f.node.first_attribute(); a; a = a.next_attribute()) {
                std::string_view n = a.name();
                if (n == "xmlns" || startsWith(n, "xmlns:")) continue;
                std::string an = newName(n, false, ok);
                if (an != n) {
                    renamed.attributes.emplace_back(a, a.name());
                    a.set_name(an.c_str());
                }
            }
            size_t scopeSize = scope.size();
            for (pugi::xml_node c = f.node.last_child(); c; c = c.previous_sibling()) {
                if (c.type() == pugi::node_element) stack.push_back({c, scopeSize});
            }
        }
        return ok;
    }

    std::vector<std::pair<std::string, std::string>> namespaces_;
    std::unique_ptr<pugi::xpath_query> query_;
};

// --- matchesJsonSchema ------------------------------------------------------------------------

enum class SchemaVersion { kV4, kV6, kV7, kV201909, kV202012 };

// Brings a schema to what the draft-4/draft-7 validator understands, keeping WireMock's
// behaviour: OpenAPI "nullable", 2019-09/2020-12 keywords, format as an annotation only in the
// newer drafts.
void adaptSchema(Json& s, SchemaVersion v, int depth) {
    if (depth > 128 || !s.is_object()) return;
    bool modern = v == SchemaVersion::kV201909 || v == SchemaVersion::kV202012;
    s.erase("$schema");
    s.erase("$id");
    if (v == SchemaVersion::kV4) s.erase("id");
    if (modern) s.erase("format");
    if (s.contains("nullable") && asBoolean(&s["nullable"]) && s.contains("type")) {
        Json& t = s["type"];
        if (t.is_string() && t != "null")
            t = Json::array({t, "null"});
        else if (t.is_array() && std::find(t.begin(), t.end(), "null") == t.end())
            t.push_back("null");
    }
    s.erase("nullable");
    if (modern) {
        if (s.contains("prefixItems")) {
            Json prefix = s["prefixItems"];
            s.erase("prefixItems");
            if (s.contains("items")) s["additionalItems"] = s["items"];
            s["items"] = prefix;
        }
        if (s.contains("dependentRequired") || s.contains("dependentSchemas")) {
            Json deps = Json::object();
            for (const char* key : {"dependentRequired", "dependentSchemas"}) {
                if (s.contains(key) && s[key].is_object()) {
                    for (auto it = s[key].begin(); it != s[key].end(); ++it) deps[it.key()] = *it;
                }
                s.erase(key);
            }
            s["dependencies"] = deps;
        }
        s.erase("unevaluatedProperties");
        s.erase("unevaluatedItems");
    }
    static constexpr const char* kSchemaMaps[] = {"properties", "patternProperties", "definitions",
                                                  "$defs", "dependencies"};
    static constexpr const char* kSchemaValues[] = {
        "items", "additionalItems", "additionalProperties", "not", "if", "then",
        "else",  "contains",        "propertyNames"};
    static constexpr const char* kSchemaLists[] = {"allOf", "anyOf", "oneOf"};
    for (const char* key : kSchemaMaps) {
        if (s.contains(key) && s[key].is_object()) {
            for (auto& sub : s[key]) adaptSchema(sub, v, depth + 1);
        }
    }
    for (const char* key : kSchemaValues) {
        if (!s.contains(key)) continue;
        Json& sub = s[key];
        if (sub.is_array()) {
            for (auto& item : sub) adaptSchema(item, v, depth + 1);
        } else {
            adaptSchema(sub, v, depth + 1);
        }
    }
    for (const char* key : kSchemaLists) {
        if (s.contains(key) && s[key].is_array()) {
            for (auto& sub : s[key]) adaptSchema(sub, v, depth + 1);
        }
    }
    if (v == SchemaVersion::kV4) return;
    // Draft-4 style boolean exclusive bounds are what the draft-7 reader rejects; translate.
    for (auto [flag, bound] :
         {std::pair{"exclusiveMaximum", "maximum"}, std::pair{"exclusiveMinimum", "minimum"}}) {
        if (s.contains(flag) && s[flag].is_boolean()) {
            if (s[flag].get<bool>() && s.contains(bound)) {
                s[flag] = s[bound];
                s.erase(bound);
            } else {
                s.erase(flag);
            }
        }
    }
}

size_t longestString(const Json& root) {
    size_t longest = 0;
    std::vector<const Json*> stack{&root};
    while (!stack.empty()) {
        const Json* n = stack.back();
        stack.pop_back();
        if (n->is_string()) longest = std::max(longest, n->get_ref<const std::string&>().size());
        if (n->is_object()) {
            for (auto it = n->begin(); it != n->end(); ++it)
                longest = std::max(longest, it.key().size());
        }
        if (n->is_structured()) {
            for (const auto& c : *n) stack.push_back(&c);
        }
    }
    return longest;
}

// Rewrites 1.0-style numbers as integers; false when there were none.
bool integralFloatsToIntegers(Json& root) {
    bool changed = false;
    std::vector<Json*> stack{&root};
    while (!stack.empty()) {
        Json* n = stack.back();
        stack.pop_back();
        if (n->is_number_float()) {
            double d = n->get<double>();
            if (std::trunc(d) == d && std::fabs(d) < 9e15) {
                *n = static_cast<int64_t>(d);
                changed = true;
            }
        } else if (n->is_structured()) {
            for (auto& c : *n) stack.push_back(&c);
        }
    }
    return changed;
}

int schemaPropertyCount(const Json& schema) {
    // WireMock counts the schema's nodes; any positive count gives a usable ratio.
    return deepSize(&schema);
}

class JsonSchemaMatcher final : public Base {
  public:
    JsonSchemaMatcher(const Json& schema, std::string display, SchemaVersion version)
        : Base("matchesJsonSchema", std::move(display)),
          propertyCount_(schemaPropertyCount(schema)) {
        if (schema.is_boolean()) {
            constant_ = schema.get<bool>();
            return;
        }
        if (!schema.is_object()) {
            constant_ = true;  // not a schema object: nothing to check
            return;
        }
        Json adapted = schema;
        adaptSchema(adapted, version, 0);
        // Patterns run on RE2; one RE2 cannot run is left out (the matcher stays usable).
        core::translateToDraft7(adapted, core::SchemaDialect::Draft7);
        try {
            schema_ = core::JsonSchema::compile(adapted, "", version == SchemaVersion::kV4);
        } catch (const std::exception&) {
            constant_ = false;  // WireMock keeps an invalid schema and never matches it
        }
    }

    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual) return MatchResult::miss();
        if (constant_) return of(*constant_);
        auto doc = parseJsonCached(*actual);
        Json text;
        const Json* target = doc.get();
        if (target == nullptr) {
            text = std::string(*actual);
            target = &text;
        }
        if (jsonDepth(*target) > 200) return MatchResult::miss();
        size_t errors = 0;
        auto run = [&] {
            errors = validate(*target);
            if (errors > 0) {
                // Whole-number doubles (1.0) count as integers, as in WireMock's validator.
                Json normalised = *target;
                if (integralFloatsToIntegers(normalised)) errors = validate(normalised);
            }
            if (errors > 0 && !target->is_string() && !target->is_structured()) {
                text = std::string(*actual);
                errors = validate(text);
            }
        };
        // The validator's std::regex recurses (about 1 KB of stack) per character of a string it
        // checks. Serving threads have deep stacks (core::kDeepStackBytes), so it runs inline;
        // a string too long for the stack this runs on is a miss, never a crash.
        size_t longest = std::max(longestString(*target), actual->size());
        size_t stack = longest * 4096 + (size_t{8} << 20);
        if (longest <= 256 || stack < core::stackRemaining()) {
            run();
        } else {
            return MatchResult::miss();
        }
        if (errors == 0) return MatchResult::exact();
        return MatchResult::miss(
            std::min(1.0, static_cast<double>(errors) / std::max(1, propertyCount_)));
    }

  private:
    size_t validate(const Json& target) const {
        try {
            return schema_->countViolations(target);
        } catch (const std::exception&) {
            return 1;
        }
    }

    std::shared_ptr<const core::JsonSchema> schema_;
    std::optional<bool> constant_;
    int propertyCount_;
};

// --- equalToXml -------------------------------------------------------------------------------

enum class NsMode { kStrict, kLegacy, kNone };

enum ComparisonType : uint32_t {
    kNodeType = 1u << 0,
    kNamespaceUri = 1u << 1,
    kTextValue = 1u << 2,
    kPiTarget = 1u << 3,
    kPiData = 1u << 4,
    kElementTagName = 1u << 5,
    kElementNumAttributes = 1u << 6,
    kAttrValue = 1u << 7,
    kChildNodelistLength = 1u << 8,
    kChildLookup = 1u << 9,
    kAttrNameLookup = 1u << 10,
    kSchemaLocation = 1u << 11,
    kNoNamespaceSchemaLocation = 1u << 12,
};
constexpr uint32_t kCountedByDefault = (1u << 13) - 1;

std::optional<uint32_t> comparisonTypeBit(const std::string& name) {
    static constexpr std::pair<std::string_view, uint32_t> kTypes[] = {
        {"ATTR_VALUE_EXPLICITLY_SPECIFIED", 0},
        {"HAS_DOCTYPE_DECLARATION", 0},
        {"DOCTYPE_NAME", 0},
        {"DOCTYPE_PUBLIC_ID", 0},
        {"DOCTYPE_SYSTEM_ID", 0},
        {"SCHEMA_LOCATION", kSchemaLocation},
        {"NO_NAMESPACE_SCHEMA_LOCATION", kNoNamespaceSchemaLocation},
        {"NODE_TYPE", kNodeType},
        {"NAMESPACE_PREFIX", 0},
        {"NAMESPACE_URI", kNamespaceUri},
        {"TEXT_VALUE", kTextValue},
        {"PROCESSING_INSTRUCTION_TARGET", kPiTarget},
        {"PROCESSING_INSTRUCTION_DATA", kPiData},
        {"ELEMENT_TAG_NAME", kElementTagName},
        {"ELEMENT_NUM_ATTRIBUTES", kElementNumAttributes},
        {"ATTR_VALUE", kAttrValue},
        {"CHILD_NODELIST_LENGTH", kChildNodelistLength},
        {"CHILD_NODELIST_SEQUENCE", 0},
        {"CHILD_LOOKUP", kChildLookup},
        {"ATTR_NAME_LOOKUP", kAttrNameLookup},
        {"XML_VERSION", 0},
        {"XML_STANDALONE", 0},
        {"XML_ENCODING", 0},
        {"XSI_TYPE", 0}};
    for (const auto& [n, bit] : kTypes) {
        if (name == n) return bit;
    }
    return std::nullopt;
}

// An XMLUnit placeholder found in the control document ("${xmlunit.isNumber}").
struct Placeholder {
    enum class Kind {
        kIgnore,
        kIsNumber,
        kMatchesRegex,
        kIsDateTime,
        kThrows
    } kind = Kind::kIgnore;
    RegexPtr regex;
    std::optional<DateFormat> format;
};

struct XAttr {
    std::string qname, local, ns, value;
    bool hasNs = false;
    std::shared_ptr<const Placeholder> placeholder;
};

struct XNode {
    enum class Kind : uint8_t { kDocument, kElement, kText, kCData, kPI } kind = Kind::kDocument;
    std::string qname, local, ns, value;
    bool hasNs = false;
    std::vector<XAttr> attrs;
    std::optional<std::string> schemaLocation, noNsSchemaLocation;
    std::vector<XNode> children;
    std::shared_ptr<const Placeholder> placeholder;  // on text nodes of the control document

    bool textLike() const { return kind == Kind::kText || kind == Kind::kCData; }
    void textContent(std::string& out) const {
        if (textLike()) out += value;
        for (const auto& c : children) c.textContent(out);
    }
};

const std::string kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
const std::string kXmlNs = "http://www.w3.org/XML/1998/namespace";

struct XmlBuilder {
    NsMode mode;
    std::string error;
    std::vector<std::pair<std::string, std::string>> scope;

    const std::string* resolve(std::string_view prefix) {
        if (prefix == "xml") return &kXmlNs;
        for (auto it = scope.rbegin(); it != scope.rend(); ++it) {
            if (it->first == prefix) return &it->second;
        }
        return nullptr;
    }

    // Comments dropped, adjacent text merged, text trimmed and empty text dropped (XMLUnit's
    // ignoreWhitespace + ignoreComments).
    bool children(const pugi::xml_node& from, XNode& to, int depth) {
        if (depth > kMaxXmlDepth) {
            error = "document too deep";
            return false;
        }
        std::string pending;
        bool hasPending = false;
        auto flush = [&] {
            if (!hasPending) return;
            std::string_view t = trimJava(pending);
            if (!t.empty()) {
                XNode n;
                n.kind = XNode::Kind::kText;
                n.value = std::string(t);
                to.children.push_back(std::move(n));
            }
            pending.clear();
            hasPending = false;
        };
        for (pugi::xml_node c = from.first_child(); c; c = c.next_sibling()) {
            switch (c.type()) {
                case pugi::node_pcdata:
                    pending += c.value();
                    hasPending = true;
                    break;
                case pugi::node_comment:
                    break;
                case pugi::node_cdata: {
                    flush();
                    std::string_view t = trimJava(c.value());
                    if (t.empty()) break;
                    XNode n;
                    n.kind = XNode::Kind::kCData;
                    n.value = std::string(t);
                    to.children.push_back(std::move(n));
                    break;
                }
                case pugi::node_pi: {
                    flush();
                    XNode n;
                    n.kind = XNode::Kind::kPI;
                    n.qname = c.name();
                    n.value = c.value();
                    to.children.push_back(std::move(n));
                    break;
                }
                case pugi::node_element: {
                    flush();
                    XNode n;
                    if (!element(c, n, depth + 1)) return false;
                    to.children.push_back(std::move(n));
                    break;
                }
                default:
                    break;
            }
        }
        flush();
        return true;
    }

    bool element(const pugi::xml_node& e, XNode& n, int depth) {
        n.kind = XNode::Kind::kElement;
        n.qname = e.name();
        size_t scopeSize = scope.size();
        bool aware = mode == NsMode::kStrict;
        if (aware) {
            for (pugi::xml_attribute a = e.first_attribute(); a; a = a.next_attribute()) {
                std::string_view an = a.name();
                if (an == "xmlns")
                    scope.emplace_back("", a.value());
                else if (startsWith(an, "xmlns:"))
                    scope.emplace_back(std::string(an.substr(6)), a.value());
            }
            size_t colon = n.qname.find(':');
            std::string prefix = colon == std::string::npos ? "" : n.qname.substr(0, colon);
            n.local = colon == std::string::npos ? n.qname : n.qname.substr(colon + 1);
            const std::string* uri = resolve(prefix);
            if (uri == nullptr && !prefix.empty()) {
                error =
                    "The prefix \"" + prefix + "\" for element \"" + n.qname + "\" is not bound.";
                return false;
            }
            if (uri != nullptr && !uri->empty()) {
                n.ns = *uri;
                n.hasNs = true;
            }
        } else {
            n.local = n.qname;
        }
        for (pugi::xml_attribute a = e.first_attribute(); a; a = a.next_attribute()) {
            XAttr x;
            x.qname = a.name();
            x.value = a.value();
            x.local = x.qname;
            if (aware) {
                if (x.qname == "xmlns" || startsWith(x.qname, "xmlns:")) continue;
                size_t colon = x.qname.find(':');
                if (colon != std::string::npos) {
                    std::string prefix = x.qname.substr(0, colon);
                    const std::string* uri = resolve(prefix);
                    if (uri == nullptr) {
                        error = "The prefix \"" + prefix + "\" for attribute \"" + x.qname +
                                "\" associated with an element type \"" + n.qname +
                                "\" is not bound.";
                        return false;
                    }
                    x.local = x.qname.substr(colon + 1);
                    x.ns = *uri;
                    x.hasNs = true;
                }
                if (x.hasNs && x.ns == kXsiNs && x.local == "schemaLocation") {
                    n.schemaLocation = x.value;
                    continue;
                }
                if (x.hasNs && x.ns == kXsiNs && x.local == "noNamespaceSchemaLocation") {
                    n.noNsSchemaLocation = x.value;
                    continue;
                }
            }
            n.attrs.push_back(std::move(x));
        }
        bool ok = children(e, n, depth);
        scope.resize(scopeSize);
        return ok;
    }

    bool build(const pugi::xml_document& doc, XNode& root) {
        root.kind = XNode::Kind::kDocument;
        return children(doc, root, 0);
    }
};

struct XmlSettings {
    NsMode mode = NsMode::kStrict;
    uint32_t counted = kCountedByDefault;
    bool placeholders = false;
    bool ignoreOrderOfSameNode = false;
};

class XmlComparison {
  public:
    XmlComparison(const XmlSettings& s, bool stopAtFirst) : s_(s), stop_(stopAtFirst) {}
    int total = 0;
    int diffs = 0;
    bool failed = false;  // XMLUnit (or WireMock's node sorting) would have thrown

    bool compareNodes(const XNode& c, const XNode& t) {
        bool sameKind = c.kind == t.kind;
        if (!record(kNodeType, true, !sameKind, [&] {
                return c.textLike() && t.textLike() &&
                       placeholderEquals(c.placeholder.get(), &t.value);
            }))
            return false;
        if (!sameKind && !(c.textLike() && t.textLike())) return true;
        if (c.kind == XNode::Kind::kElement && s_.mode == NsMode::kStrict) {
            if (!record(kNamespaceUri, c.hasNs, !t.hasNs || c.ns != t.ns, [] { return false; }))
                return false;
        }
        if (!record(kChildNodelistLength, true, c.children.size() != t.children.size(), [&] {
                return c.children.size() == 1 && t.children.empty() && c.children[0].textLike() &&
                       placeholderEquals(c.children[0].placeholder.get(), nullptr);
            }))
            return false;
        switch (c.kind) {
            case XNode::Kind::kText:
            case XNode::Kind::kCData:
                if (!record(kTextValue, true, c.value != t.value,
                            [&] { return placeholderEquals(c.placeholder.get(), &t.value); }))
                    return false;
                break;
            case XNode::Kind::kPI:
                if (!record(kPiTarget, true, c.qname != t.qname, [] { return false; }) ||
                    !record(kPiData, true, c.value != t.value, [] { return false; }))
                    return false;
                break;
            case XNode::Kind::kElement:
                if (!compareElements(c, t)) return false;
                break;
            case XNode::Kind::kDocument:
                break;
        }
        return compareChildren(c, t);
    }

  private:
    template <typename Placeholders>
    bool record(uint32_t type, bool controlPresent, bool different, Placeholders&& placeholders) {
        bool counts = (s_.counted & type) != 0 && controlPresent;
        if (counts) ++total;
        if (!different || !counts) return true;
        if (s_.placeholders && placeholders()) return !failed;
        if (failed) return false;
        ++diffs;
        return !stop_;
    }

    // Whether a placeholder on the control side accepts the test text (nullptr: test has none).
    bool placeholderEquals(const Placeholder* p, const std::string* test) {
        if (p == nullptr) return false;
        switch (p->kind) {
            case Placeholder::Kind::kIgnore:
                return true;
            case Placeholder::Kind::kIsNumber: {
                static const RE2 number("[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?");
                if (test == nullptr) return false;
                std::string_view t = trimJava(*test);
                return RE2::FullMatch(re2::StringPiece(t.data(), t.size()), number);
            }
            case Placeholder::Kind::kMatchesRegex:
                return test != nullptr && p->regex && p->regex->partialMatch(trimJava(*test));
            case Placeholder::Kind::kIsDateTime:
                return test != nullptr && isDateTime(*p, std::string(trimJava(*test)));
            case Placeholder::Kind::kThrows:
                failed = true;
                return false;
        }
        return false;
    }

    // java.text.DateFormat.parse(String) semantics: a date at the start of the text is enough.
    static bool startsWithDate(const DateFormat& f, const std::string& text) {
        DateFields fields;
        if (text.empty() || !parseFields(f, text, fields, true)) return false;
        for (DateShape shape : {DateShape::kDateTime, DateShape::kDate}) {
            if (resolveFields(fields, shape, f)) return true;
        }
        return false;
    }

    static bool isDateTime(const Placeholder& p, const std::string& text) {
        if (p.format) return startsWithDate(*p.format, text);
        static const std::vector<DateFormat> formats = [] {
            std::string error;
            std::vector<DateFormat> v;
            for (const char* f :
                 {"yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS",
                  "yyyy-MM-dd'T'HH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
                  "yyyy-MM-dd'T'HH:mm:ssXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd HH:mm:ss",
                  "yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ssZ", "yyyy-MM-dd HH:mm:ss.SSSZ",
                  "yyyy-MM-dd HH:mm:ssXXX", "yyyy-MM-dd HH:mm:ss.SSSXXX"})
                v.push_back(compileDateFormat(f, &error));
            return v;
        }();
        for (const auto& f : formats) {
            if (startsWithDate(f, text)) return true;
        }
        return false;
    }

    const XAttr* findAttr(const XNode& t, const XAttr& a) const {
        for (const auto& x : t.attrs) {
            bool same = s_.mode == NsMode::kStrict
                            ? x.local == a.local && x.hasNs == a.hasNs && x.ns == a.ns
                            : x.qname == a.qname;
            if (same) return &x;
        }
        return nullptr;
    }

    bool compareElements(const XNode& c, const XNode& t) {
        if (!record(kElementTagName, true, c.local != t.local, [] { return false; })) return false;
        if (!record(kElementNumAttributes, true, c.attrs.size() != t.attrs.size(), [&] {
                // Missing control attributes all accept absence, and no unmatched test ones.
                size_t matched = 0;
                for (const auto& a : c.attrs) {
                    if (findAttr(t, a) != nullptr)
                        ++matched;
                    else if (!placeholderEquals(a.placeholder.get(), nullptr))
                        return false;
                }
                return matched == t.attrs.size();
            }))
            return false;
        if (!record(kSchemaLocation, c.schemaLocation.has_value(),
                    c.schemaLocation != t.schemaLocation, [] { return false; }) ||
            !record(kNoNamespaceSchemaLocation, c.noNsSchemaLocation.has_value(),
                    c.noNsSchemaLocation != t.noNsSchemaLocation, [] { return false; }))
            return false;
        for (const auto& a : c.attrs) {
            const XAttr* ta = findAttr(t, a);
            if (!record(kAttrNameLookup, true, ta == nullptr,
                        [&] { return placeholderEquals(a.placeholder.get(), nullptr); }))
                return false;
            if (ta == nullptr) continue;
            if (s_.mode == NsMode::kStrict &&
                !record(kNamespaceUri, a.hasNs, !ta->hasNs || a.ns != ta->ns, [] { return false; }))
                return false;
            if (!record(kAttrValue, true, a.value != ta->value,
                        [&] { return placeholderEquals(a.placeholder.get(), &ta->value); }))
                return false;
        }
        return true;
    }

    // WireMock sorts children by local name (then text) before XMLUnit pairs them in order;
    // the sort key is missing for text and, without namespace awareness, for every node, and
    // sorting such a list fails.
    const std::string* sortKey(const XNode& n) const {
        if (n.kind != XNode::Kind::kElement || s_.mode == NsMode::kNone) return nullptr;
        return s_.mode == NsMode::kStrict ? &n.local : &n.qname;
    }

    bool sortChildren(const XNode& parent, std::vector<size_t>& order) {
        const auto& kids = parent.children;
        order.resize(kids.size());
        for (size_t i = 0; i < kids.size(); ++i) order[i] = i;
        if (kids.size() < 2) return true;
        for (const auto& k : kids) {
            if (sortKey(k) == nullptr) {
                failed = true;
                return false;
            }
        }
        std::vector<std::string> texts;
        if (s_.ignoreOrderOfSameNode) {
            texts.resize(kids.size());
            for (size_t i = 0; i < kids.size(); ++i) kids[i].textContent(texts[i]);
        }
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            int cmp = sortKey(kids[a])->compare(*sortKey(kids[b]));
            if (cmp != 0 || !s_.ignoreOrderOfSameNode) return cmp < 0;
            return texts[a] < texts[b];
        });
        return true;
    }

    static bool comparable(const XNode& a, const XNode& b) {
        return a.kind == b.kind || (a.textLike() && b.textLike());
    }

    bool compareChildren(const XNode& c, const XNode& t) {
        std::vector<size_t> co, to;
        if (!sortChildren(c, co) || !sortChildren(t, to)) return false;
        std::vector<char> testUsed(to.size(), 0);
        std::vector<std::pair<size_t, size_t>> pairs;
        std::vector<size_t> unmatched;
        size_t last = static_cast<size_t>(-1);
        for (size_t ci : co) {
            size_t found = static_cast<size_t>(-1);
            size_t start = last == static_cast<size_t>(-1) ? 0 : last + 1;
            for (size_t k = 0; k < to.size() && found == static_cast<size_t>(-1); ++k) {
                size_t ti = (start + k) % to.size();
                if (!testUsed[ti] && comparable(c.children[ci], t.children[to[ti]])) found = ti;
            }
            if (found == static_cast<size_t>(-1)) {
                unmatched.push_back(ci);
                continue;
            }
            testUsed[found] = 1;
            last = found;
            pairs.emplace_back(ci, to[found]);
        }
        for (const auto& [ci, ti] : pairs) {
            if (!compareNodes(c.children[ci], t.children[ti])) return false;
        }
        for (size_t ci : unmatched) {
            const XNode& n = c.children[ci];
            if (!record(kChildLookup, true, true, [&] {
                    return n.textLike() && placeholderEquals(n.placeholder.get(), nullptr);
                }))
                return false;
        }
        return true;
    }

    const XmlSettings& s_;
    bool stop_;
};

struct PlaceholderSyntax {
    RegexPtr outer;  // group 1: the placeholder with surrounding blanks, group 2: its content
    RegexPtr args;   // group 2: keyword, group 3: arguments
};

std::string quoteJavaRegex(std::string_view s) {
    std::string out = "\\Q";
    out += s;
    out += "\\E";
    return out;
}

std::shared_ptr<const Placeholder> readPlaceholder(const PlaceholderSyntax& syntax,
                                                   const std::string& text) {
    std::string whole, content;
    if (!syntax.outer->extract(text, 1, &whole) || !syntax.outer->extract(text, 2, &content))
        return nullptr;
    content = std::string(trimJava(content));
    std::string keyword = content, argText;
    bool hasArgs = false;
    if (syntax.args->extract(content, 2, &keyword) && syntax.args->extract(content, 3, &argText)) {
        keyword = std::string(trimJava(keyword));
        hasArgs = true;
    }
    auto p = std::make_shared<Placeholder>();
    if (keyword == "ignore")
        p->kind = Placeholder::Kind::kIgnore;
    else if (keyword == "isNumber")
        p->kind = Placeholder::Kind::kIsNumber;
    else if (keyword == "matchesRegex")
        p->kind = Placeholder::Kind::kMatchesRegex;
    else if (keyword == "isDateTime")
        p->kind = Placeholder::Kind::kIsDateTime;
    else
        return nullptr;  // unknown keywords compare as plain text
    if (trimJava(whole) != trimJava(text)) {
        p->kind =
            Placeholder::Kind::kThrows;  // "The placeholder must exclusively occupy the text node."
        return p;
    }
    std::string firstArg = argText.substr(0, argText.find(','));
    if (p->kind == Placeholder::Kind::kMatchesRegex) {
        p->regex = hasArgs ? Regex::compile(std::string(trimJava(firstArg)), nullptr) : nullptr;
        if (!p->regex) p->kind = Placeholder::Kind::kThrows;
    } else if (p->kind == Placeholder::Kind::kIsDateTime && hasArgs) {
        std::string error;
        DateFormat f = compileDateFormat(trimJava(firstArg), &error);
        if (!error.empty())
            p->kind = Placeholder::Kind::kThrows;
        else
            p->format = std::move(f);
    }
    return p;
}

void attachPlaceholders(XNode& n, const PlaceholderSyntax& syntax, int depth) {
    if (depth > kMaxXmlDepth) return;
    if (n.textLike()) n.placeholder = readPlaceholder(syntax, n.value);
    for (auto& a : n.attrs) a.placeholder = readPlaceholder(syntax, a.value);
    for (auto& c : n.children) attachPlaceholders(c, syntax, depth + 1);
}

std::string prettyXml(const std::string& xml) {
    pugi::xml_document doc;
    if (!parseXml(xml, doc, nullptr)) return xml;
    std::string out;
    if (!renderXml(doc, out, 0)) return xml;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

class EqualToXml final : public Base {
  public:
    EqualToXml(const std::string& xml, XNode control, XmlSettings settings)
        : Base("equalToXml", prettyXml(xml)), control_(std::move(control)), settings_(settings) {}

    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual || actual->empty()) return MatchResult::miss();
        pugi::xml_document doc;
        if (!parseXml(*actual, doc, nullptr)) return MatchResult::miss();
        XmlBuilder builder{settings_.mode, {}, {}};
        XNode test;
        if (!builder.build(doc, test)) return MatchResult::miss();
        XmlComparison exact(settings_, true);
        if (exact.compareNodes(control_, test) && exact.diffs == 0 && !exact.failed)
            return MatchResult::exact();
        XmlComparison all(settings_, false);
        all.compareNodes(control_, test);
        if (all.failed || all.total == 0) return MatchResult::miss();
        return MatchResult::miss(std::min(1.0, static_cast<double>(all.diffs) / all.total));
    }

  private:
    XNode control_;
    XmlSettings settings_;
};

// --- date-times -------------------------------------------------------------------------------

enum class DateOp { kBefore, kAfter, kEqual };

struct DateSpec {
    std::string raw;
    std::optional<DateTime> zoned, local;  // a fixed expected value
    bool now = false;                      // expected is now ± offset
    int offsetAmount = 0;
    TimeUnit offsetUnit = TimeUnit::kSeconds;
    std::optional<DateFormat> actualFormat;
    std::optional<Truncation> truncateExpected, truncateActual;
    bool applyTruncationLast = false;
};

class DateTimeMatcher final : public Base {
  public:
    DateTimeMatcher(std::string name, DateOp op, DateSpec spec, std::string expected)
        : Base(std::move(name), std::move(expected)), op_(op), spec_(std::move(spec)) {}

    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual) return MatchResult::miss();
        std::optional<DateTime> actualZ, actualL;
        if (spec_.actualFormat) {
            actualZ = parseZonedWith(*spec_.actualFormat, *actual);
            actualL = parseLocalWith(*spec_.actualFormat, *actual);
        } else {
            actualZ = parseZonedDefault(*actual);
            actualL = parseIsoLocal(*actual);
        }
        if (actualZ && spec_.truncateActual) actualZ = truncate(*actualZ, *spec_.truncateActual);

        std::optional<DateTime> expectedZ = spec_.zoned, expectedL = spec_.local;
        if (spec_.now) {
            DateTime now = nowUtc();
            if (spec_.applyTruncationLast) {
                now = shift(now, spec_.offsetAmount, spec_.offsetUnit);
                if (spec_.truncateExpected) now = truncate(now, *spec_.truncateExpected);
            } else {
                if (spec_.truncateExpected) now = truncate(now, *spec_.truncateExpected);
                now = shift(now, spec_.offsetAmount, spec_.offsetUnit);
            }
            expectedZ = now;
            expectedL.reset();
        }

        // Which pair is compared follows WireMock: zoned with zoned, local with local, then a
        // zoned actual read as its local time, then a local actual taken as UTC.
        int64_t eSec, aSec;
        int32_t eNanos, aNanos;
        if (expectedZ && actualZ) {
            eSec = expectedZ->instant(), eNanos = expectedZ->nanos;
            aSec = actualZ->instant(), aNanos = actualZ->nanos;
        } else if (expectedL && actualL) {
            eSec = expectedL->local, eNanos = expectedL->nanos;
            aSec = actualL->local, aNanos = actualL->nanos;
        } else if (expectedL && actualZ) {
            eSec = expectedL->local, eNanos = expectedL->nanos;
            aSec = actualZ->local, aNanos = actualZ->nanos;
        } else if (expectedZ && actualL) {
            eSec = expectedZ->instant(), eNanos = expectedZ->nanos;
            aSec = actualL->local, aNanos = actualL->nanos;
        } else {
            return MatchResult::miss();
        }
        int cmp = compareTimes(aSec, aNanos, eSec, eNanos);
        bool ok = op_ == DateOp::kBefore ? cmp < 0 : op_ == DateOp::kAfter ? cmp > 0 : cmp == 0;
        if (ok) return MatchResult::exact();
        double ms = std::fabs(millisBetween(eSec, eNanos, aSec, aNanos));
        return MatchResult::miss(ms / (ms + 63072000000.0));
    }

  private:
    DateOp op_;
    DateSpec spec_;
};

// --- binaryEqualTo, matchesPathTemplate --------------------------------------------------------

class BinaryEqualTo final : public Base {
  public:
    explicit BinaryEqualTo(std::string bytes)
        : Base("binaryEqualTo", base64Encode(bytes)), bytes_(std::move(bytes)) {}
    MatchResult match(std::optional<std::string_view> actual) const override {
        return of(actual && *actual == bytes_);
    }

  private:
    std::string bytes_;
};

class PathTemplateMatcher final : public Base {
  public:
    explicit PathTemplateMatcher(const std::string& tmpl) : Base("matchesPathTemplate", tmpl) {
        std::string pattern = "^";
        re2::StringPiece rest(tmpl);
        re2::StringPiece whole;
        const char* last = tmpl.data();
        while (RE2::FindAndConsume(&rest, "(\\{[^}]+\\}|\\*\\*)", &whole)) {
            std::string_view literal(last, static_cast<size_t>(whole.data() - last));
            pattern += RE2::QuoteMeta(re2::StringPiece(literal.data(), literal.size()));
            withoutVariables_ += literal;
            pattern += whole == "**" ? "(.*?)" : "([^/]+)";
            last = whole.data() + whole.size();
        }
        std::string_view tail(last, static_cast<size_t>(tmpl.data() + tmpl.size() - last));
        pattern += RE2::QuoteMeta(re2::StringPiece(tail.data(), tail.size()));
        withoutVariables_ += tail;
        pattern += "$";
        RE2::Options options;
        options.set_dot_nl(false);
        options.set_log_errors(false);
        re_ = std::make_unique<RE2>(pattern, options);
    }
    MatchResult match(std::optional<std::string_view> actual) const override {
        if (!actual) return MatchResult::miss();
        std::string_view path = *actual;
        path = path.substr(0, path.find('?'));  // the query never takes part
        if (RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *re_))
            return MatchResult::exact();
        return MatchResult::miss(normalisedLevenshtein(withoutVariables_, *actual));
    }

  private:
    std::unique_ptr<RE2> re_;
    std::string withoutVariables_;
};

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

[[noreturn]] void notValid(const std::string& pointer, const Json& spec) {
    throw PatternError(pointer, compactJson(spec) + " is not a valid match operation");
}

const std::string& requireString(const Json& spec, const char* key, const std::string& pointer) {
    const std::string* s = textValue(findValue(spec, key));
    if (s == nullptr)
        throw PatternError(pointer, std::string(key) + " operand must be a non-null string");
    return *s;
}

const std::string& requireExpected(const Json& spec, const char* key, const std::string& pointer) {
    const std::string* s = textValue(findValue(spec, key));
    if (s == nullptr)
        throw PatternError(pointer, std::string("'") + key + "' expected value cannot be null");
    return *s;
}

// An operand as WireMock prints it: pretty, members in the order written.
std::string displayJson(const Json& operand, const Json& parsed) {
    if (operand.is_string()) {
        const auto& text = operand.get_ref<const std::string&>();
        OrderedJson ordered = OrderedJson::parse(text, nullptr, false, true);
        if (ordered.is_discarded()) {
            if (auto relaxed = relaxJson(text, JsonDialect::kJackson))
                ordered = OrderedJson::parse(*relaxed, nullptr, false, true);
        }
        if (!ordered.is_discarded()) return prettyJson(ordered);
    }
    return prettyJson(parsed);
}

Json parseOperandJson(const Json& operand, const std::string& pointer) {
    if (!operand.is_string()) return operand;
    const auto& text = operand.get_ref<const std::string&>();
    Json parsed = Json::parse(text, nullptr, false, true);
    if (parsed.is_discarded()) {
        if (auto relaxed = relaxJson(text, JsonDialect::kJackson))
            parsed = Json::parse(*relaxed, nullptr, false, true);
    }
    if (parsed.is_discarded()) throw PatternError(pointer, parseErrorMessage(text));
    return parsed;
}

// Operator keys in the order they are looked for.
constexpr std::string_view kOperators[] = {"absent",
                                           "after",
                                           "and",
                                           "anything",
                                           "before",
                                           "contains",
                                           "doesNotContain",
                                           "doesNotMatch",
                                           "equalTo",
                                           "equalToDateTime",
                                           "equalToJson",
                                           "equalToXml",
                                           "matches",
                                           "matchesJsonPath",
                                           "matchesJsonSchema",
                                           "matchesPathTemplate",
                                           "matchesXPath",
                                           "not",
                                           "or"};

ValueMatcherPtr compileDate(const Json& spec, const std::string& op, const std::string& pointer) {
    DateSpec d;
    d.raw = requireExpected(spec, op.c_str(), pointer);
    if (const std::string* f = textValue(findValue(spec, "actualFormat"))) {
        std::string error;
        DateFormat fmt = compileDateFormat(*f, &error);
        if (!error.empty()) throw PatternError(pointer, error);
        d.actualFormat = std::move(fmt);
    }
    for (auto [key, target] : {std::pair{"truncateExpected", &d.truncateExpected},
                               std::pair{"truncateActual", &d.truncateActual}}) {
        const std::string* t = textValue(findValue(spec, key));
        if (t == nullptr) continue;
        auto tr = parseTruncation(*t);
        if (!tr) {
            std::string name = toUpper(*t);
            std::replace(name.begin(), name.end(), ' ', '_');
            throw PatternError(pointer,
                               "No enum constant com.github.tomakehurst.wiremock.common."
                               "DateTimeTruncation." +
                                   name);
        }
        *target = *tr;
    }
    const Json* last = findValue(spec, "applyTruncationLast");
    d.applyTruncationLast = last != nullptr && last->is_boolean() && last->get<bool>();
    const Json* amount = findValue(spec, "expectedOffset");
    const std::string* unitText = textValue(findValue(spec, "expectedOffsetUnit"));
    std::optional<TimeUnit> jsonUnit;
    if (unitText != nullptr) {
        jsonUnit = parseTimeUnit(toUpper(*unitText));
        if (!jsonUnit)
            throw PatternError(
                pointer, "No enum constant com.github.tomakehurst.wiremock.common.DateTimeUnit." +
                             toUpper(*unitText));
    }

    // "now", "now +3 days", "-1 hours"…
    std::string stripped = d.raw;
    static const RE2 nowWord("(?i)now ");
    RE2::GlobalReplace(&stripped, nowWord, "");
    static const RE2 offsetExpr("^[\\-+]?[0-9]+ [a-zA-Z]+$");
    bool isNow = equalsIgnoreCase(d.raw, "now") || RE2::FullMatch(stripped, offsetExpr);
    std::string expected = d.raw;
    if (isNow) {
        d.now = true;
        if (amount != nullptr && jsonUnit) {
            d.offsetAmount = amount->is_number() ? amount->get<int>() : 0;
            d.offsetUnit = *jsonUnit;
        } else if (!equalsIgnoreCase(d.raw, "now")) {
            std::vector<std::string> parts;
            size_t start = 0;
            while (start <= d.raw.size()) {
                size_t sp = d.raw.find(' ', start);
                parts.push_back(d.raw.substr(start, sp == std::string::npos ? sp : sp - start));
                if (sp == std::string::npos) break;
                start = sp + 1;
            }
            const std::string& num = parts[parts.size() == 2 ? 0 : 1];
            const std::string& unit = parts[parts.size() == 2 ? 1 : 2];
            int value = 0;
            auto [ptr, ec] = std::from_chars(num.data() + (num[0] == '+' ? 1 : 0),
                                             num.data() + num.size(), value);
            if (ec != std::errc() || ptr != num.data() + num.size())
                throw PatternError(pointer, "For input string: \"" + num + "\"");
            auto u = parseTimeUnit(toUpper(unit));
            if (!u)
                throw PatternError(pointer,
                                   "No enum constant com.github.tomakehurst.wiremock.common."
                                   "DateTimeUnit." +
                                       toUpper(unit));
            d.offsetAmount = value;
            d.offsetUnit = *u;
        }
        if (d.raw == "now") {
            expected = std::string("now ") + (d.offsetAmount >= 0 ? "+" : "") +
                       std::to_string(d.offsetAmount) + " " + unitName(d.offsetUnit);
        }
    } else {
        d.zoned = parseZonedDefault(d.raw);
        d.local = parseIsoLocal(d.raw);
    }
    DateOp dop = op == "before" ? DateOp::kBefore : op == "after" ? DateOp::kAfter : DateOp::kEqual;
    return std::make_shared<DateTimeMatcher>(op, dop, std::move(d), std::move(expected));
}

ValueMatcherPtr compileXml(const Json& spec, const std::string& pointer) {
    const std::string& xml = requireExpected(spec, "equalToXml", pointer);
    XmlSettings settings;
    settings.placeholders = asBoolean(findValue(spec, "enablePlaceholders"));
    settings.ignoreOrderOfSameNode = asBoolean(findValue(spec, "ignoreOrderOfSameNode"));
    if (const Json* ex = findValue(spec, "exemptedComparisons"); ex != nullptr && ex->is_array()) {
        for (const auto& item : *ex) {
            if (!item.is_string()) throw PatternError(pointer, "Name is null");
            auto bit = comparisonTypeBit(item.get<std::string>());
            if (!bit)
                throw PatternError(pointer,
                                   "No enum constant wiremock.org.xmlunit.diff.ComparisonType." +
                                       item.get<std::string>());
            settings.counted &= ~*bit;
        }
    }
    if (const Json* ns = findValue(spec, "namespaceAwareness"); ns != nullptr && !ns->is_null()) {
        std::string v = asText(*ns);
        if (v == "STRICT")
            settings.mode = NsMode::kStrict;
        else if (v == "LEGACY")
            settings.mode = NsMode::kLegacy;
        else if (v == "NONE")
            settings.mode = NsMode::kNone;
        else
            throw PatternError(pointer,
                               "No enum constant com.github.tomakehurst.wiremock.matching."
                               "EqualToXmlPattern.NamespaceAwareness." +
                                   v);
    }
    pugi::xml_document doc;
    std::string error;
    if (!parseXml(xml, doc, &error)) throw PatternError(pointer, error);
    XmlBuilder builder{settings.mode, {}, {}};
    XNode control;
    if (!builder.build(doc, control)) throw PatternError(pointer, builder.error);
    if (settings.placeholders) {
        const Json* open = findValue(spec, "placeholderOpeningDelimiterRegex");
        const Json* close = findValue(spec, "placeholderClosingDelimiterRegex");
        std::string openRe =
            open != nullptr && !open->is_null() ? asText(*open) : quoteJavaRegex("${");
        std::string closeRe =
            close != nullptr && !close->is_null() ? asText(*close) : quoteJavaRegex("}");
        PlaceholderSyntax syntax;
        syntax.outer = compileJavaRegex(
            "(\\s*" + openRe + "\\s*" + quoteJavaRegex("xmlunit.") + "(.+)\\s*" + closeRe + "\\s*)",
            pointer, false);
        syntax.args = compileJavaRegex(
            "((.*)\\s*" + quoteJavaRegex("(") + "(.+)" + quoteJavaRegex(")") + ")", pointer, false);
        attachPlaceholders(control, syntax, 0);
    }
    return std::make_shared<EqualToXml>(xml, std::move(control), settings);
}

ValueMatcherPtr compileImpl(const Json& spec, const std::string& pointer, bool binaryAllowed);

ValueMatcherPtr compilePath(const Json& spec, const std::string& op, const std::string& pointer) {
    const Json& outer = *findValue(spec, op);
    bool xpath = op == "matchesXPath";
    std::vector<std::pair<std::string, std::string>> namespaces;
    if (xpath) {
        if (const Json* ns = findValue(spec, "xPathNamespaces"); ns != nullptr && ns->is_object()) {
            for (auto it = ns->begin(); it != ns->end(); ++it) {
                if (it->is_string()) namespaces.emplace_back(it.key(), it->get<std::string>());
            }
        }
    }
    std::string expression;
    ValueMatcherPtr sub;
    if (outer.is_string()) {
        expression = outer.get<std::string>();
    } else {
        if (!outer.is_object() || !outer.contains("expression"))
            throw PatternError(pointer, "expression is required in the advanced " + op + " form");
        const std::string* e = textValue(&outer["expression"]);
        if (e == nullptr) throw PatternError(pointer, "'" + op + "' expected value cannot be null");
        expression = *e;
        sub = compileImpl(outer, pointer, false);
    }
    if (xpath) return std::make_shared<XPathMatcher>(expression, std::move(namespaces), sub);
    std::string error;
    auto path = core::JsonPath::compile(expression, &error, core::JsonPath::Dialect::Jayway);
    if (!path) throw PatternError(pointer, error);
    return std::make_shared<JsonPathMatcher>(expression, std::move(*path), sub);
}

ValueMatcherPtr compileImpl(const Json& spec, const std::string& pointer, bool binaryAllowed) {
    if (!spec.is_object()) notValid(pointer, spec);
    if (binaryAllowed && spec.contains("binaryEqualTo")) {
        const std::string* b64 = textValue(&spec["binaryEqualTo"]);
        if (b64 == nullptr)
            throw PatternError(pointer, "binaryEqualTo operand must be a non-null string");
        std::string error;
        std::string bytes = base64Decode(*b64, &error);
        if (!error.empty()) throw PatternError(pointer, error);
        return std::make_shared<BinaryEqualTo>(std::move(bytes));
    }
    std::string op;
    for (auto it = spec.begin(); it != spec.end() && op.empty(); ++it) {
        for (std::string_view known : kOperators) {
            if (it.key() == known) {
                op = it.key();
                break;
            }
        }
    }
    if (op.empty()) notValid(pointer, spec);

    if (op == "absent") return std::make_shared<Absent>();
    if (op == "equalTo") {
        const std::string& v = requireString(spec, "equalTo", pointer);
        return std::make_shared<EqualTo>(v, asBoolean(findValue(spec, "caseInsensitive")));
    }
    if (op == "contains" || op == "doesNotContain") {
        return std::make_shared<Contains>(requireString(spec, op.c_str(), pointer),
                                          op == "doesNotContain");
    }
    if (op == "matches" || op == "doesNotMatch") {
        const std::string& p = requireString(spec, op.c_str(), pointer);
        return std::make_shared<RegexMatch>(p, compileJavaRegex(p, pointer, true),
                                            op == "doesNotMatch");
    }
    if (op == "anything")
        return std::make_shared<Anything>(requireString(spec, "anything", pointer));
    if (op == "matchesPathTemplate")
        return std::make_shared<PathTemplateMatcher>(requireString(spec, op.c_str(), pointer));
    if (op == "not") {
        return std::make_shared<Not>(compileImpl(*findValue(spec, "not"), pointer, false));
    }
    if (op == "and" || op == "or") {
        const Json& list = spec[op];
        if (!list.is_array()) throw PatternError(pointer, "and field must be an array of matchers");
        std::vector<ValueMatcherPtr> ops;
        for (size_t i = 0; i < list.size(); ++i)
            ops.push_back(compileImpl(list[i], pointer + "/" + std::to_string(i), false));
        if (ops.size() < 2)
            throw PatternError(pointer, "Must be constructed with at least two matchers");
        return std::make_shared<Logical>(std::move(ops), op == "and");
    }
    if (op == "equalToJson") {
        const Json& operand = *findValue(spec, "equalToJson");
        Json expected = parseOperandJson(operand, pointer);
        std::string display = displayJson(operand, expected);
        return std::make_shared<EqualToJson>(std::move(expected), std::move(display),
                                             asBoolean(findValue(spec, "ignoreArrayOrder")),
                                             asBoolean(findValue(spec, "ignoreExtraElements")));
    }
    if (op == "matchesJsonSchema") {
        SchemaVersion version = SchemaVersion::kV202012;
        if (const Json* v = findValue(spec, "schemaVersion"); v != nullptr && !v->is_null()) {
            static constexpr std::pair<std::string_view, SchemaVersion> kVersions[] = {
                {"V4", SchemaVersion::kV4},
                {"V6", SchemaVersion::kV6},
                {"V7", SchemaVersion::kV7},
                {"V201909", SchemaVersion::kV201909},
                {"V202012", SchemaVersion::kV202012}};
            std::string name = asText(*v);
            auto it = std::find_if(std::begin(kVersions), std::end(kVersions),
                                   [&](const auto& p) { return p.first == name; });
            if (it == std::end(kVersions))
                throw PatternError(pointer,
                                   "schemaVersion must be one of [ \"V4\", \"V6\", \"V7\", "
                                   "\"V201909\", \"V202012\" ]");
            version = it->second;
        }
        const Json& operand = *findValue(spec, "matchesJsonSchema");
        Json schema = parseOperandJson(operand, pointer);
        return std::make_shared<JsonSchemaMatcher>(schema, displayJson(operand, schema), version);
    }
    if (op == "equalToXml") return compileXml(spec, pointer);
    if (op == "matchesJsonPath" || op == "matchesXPath") return compilePath(spec, op, pointer);
    if (op == "before" || op == "after" || op == "equalToDateTime")
        return compileDate(spec, op, pointer);
    notValid(pointer, spec);
}

// --- multi-value ------------------------------------------------------------------------------

class SingleValue final : public MultiValueMatcher {
  public:
    explicit SingleValue(ValueMatcherPtr m) : m_(std::move(m)) {}
    MatchResult match(const std::vector<std::string_view>& values) const override {
        if (values.empty()) return m_->match(std::nullopt);
        double best = 1.0;
        for (std::string_view v : values) {
            MatchResult r = m_->match(v);
            if (r.matched) return MatchResult::exact();
            best = std::min(best, r.distance);
        }
        return MatchResult::miss(best);
    }
    std::string expected() const override { return m_->expected(); }
    std::string_view name() const override { return m_->name(); }

  private:
    ValueMatcherPtr m_;
};

class MultipleValues final : public MultiValueMatcher {
  public:
    MultipleValues(std::vector<ValueMatcherPtr> ms, bool exactly)
        : ms_(std::move(ms)), exactly_(exactly) {
        for (size_t i = 0; i < ms_.size(); ++i) {
            if (i > 0) expected_ += " AND ";
            expected_ += std::string(ms_[i]->name()) + " " + ms_[i]->expected();
        }
    }
    MatchResult match(const std::vector<std::string_view>& values) const override {
        if (values.empty()) return MatchResult::miss();
        bool all = true;
        double sum = 0;
        for (const auto& m : ms_) {
            double best = 1.0;
            bool found = false;
            for (std::string_view v : values) {
                MatchResult r = m->match(v);
                if (r.matched) {
                    found = true;
                    best = 0;
                    break;
                }
                best = std::min(best, r.distance);
            }
            all = all && found;
            sum += best;
        }
        double inner = ms_.empty() ? 0.0 : sum / static_cast<double>(ms_.size());
        if (!exactly_) return all ? MatchResult::exact() : MatchResult::miss(inner);
        bool sizeOk = values.size() == ms_.size();
        if (all && sizeOk) return MatchResult::exact();
        return MatchResult::miss(((sizeOk ? 0.0 : 1.0) + inner) / 2.0);
    }
    std::string expected() const override { return expected_; }
    std::string_view name() const override { return exactly_ ? "hasExactly" : "includes"; }

  private:
    std::vector<ValueMatcherPtr> ms_;
    bool exactly_;
    std::string expected_;
};

}  // namespace

ValueMatcherPtr equalTo(std::string expected, bool caseInsensitive) {
    return std::make_shared<EqualTo>(std::move(expected), caseInsensitive);
}

ValueMatcherPtr containing(std::string needle) {
    return std::make_shared<Contains>(std::move(needle), false);
}

ValueMatcherPtr startingWith(std::string prefix) {
    return std::make_shared<Affix>(std::move(prefix), true);
}

ValueMatcherPtr endingWith(std::string suffix) {
    return std::make_shared<Affix>(std::move(suffix), false);
}

// Jackson's escaping: \b and \f short (Go's encoder, log::appendJsonEscaped, spells them
// \u0008 and \u000c, so the two stay apart).
void appendJacksonString(std::string& out, std::string_view s) {
    static const char* kHex = "0123456789ABCDEF";  // Jackson writes \u001F
    out += '"';
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

std::string jacksonPrettyJson(const OrderedJson& j) { return prettyJson(j); }

ValueMatcherPtr compileValueMatcher(const Json& spec, const std::string& pointer,
                                    bool binaryAllowed) {
    return compileImpl(spec, pointer, binaryAllowed);
}

MultiValueMatcherPtr compileMultiValueMatcher(const Json& spec, const std::string& pointer) {
    if (spec.is_object() && spec.empty())
        throw PatternError(pointer, "null is not a valid match operation");
    for (const char* key : {"hasExactly", "includes"}) {
        if (!spec.is_object() || !spec.contains(key)) continue;
        const char* cls = std::string_view(key) == "hasExactly" ? "ExactMatchMultiValuePattern"
                                                                : "IncludesMatchMultiValuePattern";
        for (auto it = spec.begin(); it != spec.end(); ++it) {
            if (it.key() != key)
                throw PatternError(pointer + "/" + it.key(),
                                   "Unrecognized field \"" + it.key() +
                                       "\" (class com.github.tomakehurst.wiremock.matching." + cls +
                                       "), not marked as ignorable");
        }
        const Json& list = spec[key];
        std::string base = pointer + "/" + key;
        if (!list.is_array())
            throw PatternError(base, std::string(key) + " must be an array of matchers");
        std::vector<ValueMatcherPtr> ms;
        for (size_t i = 0; i < list.size(); ++i)
            ms.push_back(compileImpl(list[i], base + "/" + std::to_string(i), false));
        return std::make_shared<MultipleValues>(std::move(ms),
                                                std::string_view(key) == "hasExactly");
    }
    return std::make_shared<SingleValue>(compileImpl(spec, pointer, false));
}

std::string bodyDiffExpected(const ValueMatcher& m) {
    if (m.name() == "binaryEqualTo") return m.expected();
    if (const auto* p = dynamic_cast<const PathMatcherBase*>(&m)) {
        if (!p->sub()) return p->expression();
        return p->expression() + " [" + std::string(p->sub()->name()) + "] " + p->sub()->expected();
    }
    return "[" + std::string(m.name()) + "]\n" + m.expected();
}

XPathResult xpathValues(std::string_view xml, const std::string& expression) {
    XPathResult r;
    pugi::xml_document doc;
    if (!startsWith(trimJava(xml), "<") || !parseXml(xml, doc, nullptr)) {
        r.status = XPathResult::Status::BadXml;
        return r;
    }
    // Strip prefixes for the query (names then match by local name), restore them to render.
    Renames renamed;
    auto local = [](const char* name) {
        const char* colon = std::strchr(name, ':');
        return colon ? std::string(colon + 1) : std::string();
    };
    std::vector<pugi::xml_node> todo = {doc.document_element()};
    while (!todo.empty()) {
        pugi::xml_node n = todo.back();
        todo.pop_back();
        if (std::string l = local(n.name()); !l.empty()) {
            renamed.elements.emplace_back(n, n.name());
            n.set_name(l.c_str());
        }
        for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
            std::string_view name = a.name();
            if (name.starts_with("xmlns")) continue;
            if (std::string l = local(a.name()); !l.empty()) {
                renamed.attributes.emplace_back(a, a.name());
                a.set_name(l.c_str());
            }
        }
        for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
            if (c.type() == pugi::node_element) todo.push_back(c);
    }
    try {
        pugi::xpath_query query(expression.c_str());
        if (query.return_type() == pugi::xpath_type_node_set) {
            pugi::xpath_node_set set = query.evaluate_node_set(doc);
            set.sort();
            renamed.restore();
            for (const auto& n : set) r.values.push_back(xpathNodeText(n));
        } else {
            r.values.push_back(query.evaluate_string(doc));
        }
    } catch (const std::exception&) {
        r.status = XPathResult::Status::BadXPath;
    }
    return r;
}

std::optional<std::string> formatXmlText(std::string_view xml, bool pretty) {
    pugi::xml_document doc;
    if (!startsWith(trimJava(xml), "<") || !parseXml(xml, doc, nullptr)) return std::nullopt;
    std::string out;
    if (!renderXml(doc, out, 0, pretty)) return std::nullopt;
    return out;
}

}  // namespace mockd::match
