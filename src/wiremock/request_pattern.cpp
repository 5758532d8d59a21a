// WireMock request patterns: strict decoding of the `request` object, matching with WireMock's
// weighted near-miss distance, and the plain-text diff served with an unmatched request's 404.
#include "wiremock/request_pattern.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <pugixml.hpp>

#include "core/jsonpath.h"
#include "match/regex.h"

namespace mockd::wiremock {

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
    }
    return true;
}

bool istartsWith(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) {
        --e;
    }
    return s.substr(b, e - b);
}

std::string base64Encode(std::string_view in) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
    }
    if (i + 1 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16;
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// Levenshtein distance divided by the longer length, as WireMock scores equalTo near misses.
double normalisedLevenshtein(std::string_view a, std::string_view b) {
    if (a == b) return 0.0;
    size_t maxLen = std::max(a.size(), b.size());
    if (maxLen == 0) return 0.0;
    if (a.size() > 4096 || b.size() > 4096) return 1.0;  // too long to be a useful near miss
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        }
        std::swap(prev, cur);
    }
    return static_cast<double>(prev[b.size()]) / static_cast<double>(maxLen);
}

// A parameter of a header value such as `form-data; name="a"` or `multipart/x; boundary=b`.
std::optional<std::string> headerParam(std::string_view value, std::string_view name) {
    size_t i = value.find(';');
    while (i != std::string_view::npos && i < value.size()) {
        ++i;
        size_t eq = value.find('=', i);
        size_t semi = value.find(';', i);
        if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
            i = semi;
            continue;
        }
        std::string_view key = trim(value.substr(i, eq - i));
        size_t v = eq + 1;
        while (v < value.size() && (value[v] == ' ' || value[v] == '\t')) ++v;
        std::string parsed;
        size_t end;
        if (v < value.size() && value[v] == '"') {
            end = v + 1;
            while (end < value.size() && value[end] != '"') {
                if (value[end] == '\\' && end + 1 < value.size()) ++end;
                parsed.push_back(value[end]);
                ++end;
            }
            end = value.find(';', end);
        } else {
            end = value.find(';', v);
            parsed = std::string(
                trim(value.substr(v, end == std::string_view::npos ? value.npos : end - v)));
        }
        if (iequals(key, name)) return parsed;
        i = end;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Jackson-style messages for values of the wrong JSON type

std::string jacksonToken(const Json& v) {
    switch (v.type()) {
        case Json::value_t::object:
            return "Object value (token `JsonToken.START_OBJECT`)";
        case Json::value_t::array:
            return "Array value (token `JsonToken.START_ARRAY`)";
        case Json::value_t::string:
            return "String value (token `JsonToken.VALUE_STRING`)";
        case Json::value_t::boolean:
            return std::string("Boolean value (token `JsonToken.VALUE_") +
                   (v.get<bool>() ? "TRUE" : "FALSE") + "`)";
        case Json::value_t::number_float:
            return "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "Integer value (token `JsonToken.VALUE_NUMBER_INT`)";
        default:
            return "Null value (token `JsonToken.VALUE_NULL`)";
    }
}

[[noreturn]] void cannotDeserialize(const std::string& pointer, std::string_view type,
                                    const Json& v) {
    throw PatternError(pointer, "Cannot deserialize value of type `" + std::string(type) +
                                    "` from " + jacksonToken(v));
}

// A JSON object that Jackson builds through a creator (a bean) given some other JSON type.
[[noreturn]] void notABean(const std::string& pointer, std::string_view cls, const Json& v) {
    std::string from;
    switch (v.type()) {
        case Json::value_t::string:
            from =
                "no String-argument constructor/factory method to deserialize from String "
                "value ('" +
                v.get<std::string>() + "')";
            break;
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            from =
                "no int/Int-argument constructor/factory method to deserialize from Number "
                "value (" +
                v.dump() + ")";
            break;
        case Json::value_t::number_float:
            from =
                "no double/Double-argument constructor/factory method to deserialize from "
                "Number value (" +
                v.dump() + ")";
            break;
        case Json::value_t::boolean:
            from =
                "no boolean/Boolean-argument constructor/factory method to deserialize from "
                "boolean value (" +
                v.dump() + ")";
            break;
        default:
            cannotDeserialize(pointer, cls, v);
    }
    throw PatternError(pointer, "Cannot construct instance of `" + std::string(cls) +
                                    "` (although at least one Creator exists): " + from);
}

[[noreturn]] void unrecognized(const std::string& pointer, const std::string& field,
                               std::string_view cls) {
    throw PatternError(pointer + "/" + field, "Unrecognized field \"" + field + "\" (class " +
                                                  std::string(cls) + "), not marked as ignorable");
}

// A string property: Jackson turns numbers and booleans into their text.
std::optional<std::string> stringProp(const Json& v, const std::string& pointer) {
    switch (v.type()) {
        case Json::value_t::null:
            return std::nullopt;
        case Json::value_t::string:
            return v.get<std::string>();
        case Json::value_t::boolean:
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float:
            return v.dump();
        default:
            cannotDeserialize(pointer, "java.lang.String", v);
    }
}

const Json* objectProp(const Json& v, const std::string& pointer, std::string_view mapType) {
    if (v.is_null()) return nullptr;
    if (v.is_object()) return &v;
    if (v.is_string()) notABean(pointer, "java.util.LinkedHashMap", v);
    cannotDeserialize(pointer, mapType, v);
}

const Json* arrayProp(const Json& v, const std::string& pointer, std::string_view listType) {
    if (v.is_null()) return nullptr;
    if (v.is_array()) return &v;
    cannotDeserialize(pointer, listType, v);
}

std::string escapePointer(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

constexpr std::string_view kMultiMap =
    "java.util.LinkedHashMap<java.lang.String,com.github.tomakehurst.wiremock.matching."
    "MultiValuePattern>";
constexpr std::string_view kStringMap =
    "java.util.LinkedHashMap<java.lang.String,com.github.tomakehurst.wiremock.matching."
    "StringValuePattern>";
constexpr std::string_view kContentList =
    "java.util.ArrayList<com.github.tomakehurst.wiremock.matching.ContentPattern<java.lang."
    "Object>>";
constexpr std::string_view kMultipartList =
    "java.util.ArrayList<com.github.tomakehurst.wiremock.matching.MultipartValuePattern>";
constexpr std::string_view kRequestPatternClass =
    "com.github.tomakehurst.wiremock.matching.RequestPattern";
constexpr std::string_view kMultipartClass =
    "com.github.tomakehurst.wiremock.matching.MultipartValuePattern";
constexpr std::string_view kCredentialsClass =
    "com.github.tomakehurst.wiremock.client.BasicCredentials";
constexpr std::string_view kCustomMatcherClass =
    "com.github.tomakehurst.wiremock.matching.CustomMatcherDefinition";

// ---------------------------------------------------------------------------------------------
// Body formatting for the diff's right column

// A JSON number as Java's BigDecimal.toPlainString prints it ("1e3" → "1000", "1E-2" → "0.01").
std::string plainDecimal(std::string_view text) {
    bool negative = false;
    size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
    std::string digits;
    long scale = 0;
    bool inFraction = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
            if (inFraction) ++scale;
        } else if (c == '.') {
            inFraction = true;
        } else if (c == 'e' || c == 'E') {
            long exponent = 0;
            try {
                exponent = std::stol(std::string(text.substr(i + 1)));
            } catch (...) {
                return std::string(text);
            }
            if (exponent > 10000 || exponent < -10000) return std::string(text);
            scale -= exponent;
            break;
        } else {
            return std::string(text);
        }
    }
    size_t nz = digits.find_first_not_of('0');
    digits = nz == std::string::npos ? "0" : digits.substr(nz);
    bool zero = digits == "0";
    std::string out = (negative && !zero) ? "-" : "";
    if (scale <= 0) {
        if (zero) return out + "0";
        return out + digits + std::string(static_cast<size_t>(-scale), '0');
    }
    auto s = static_cast<size_t>(scale);
    if (digits.size() <= s) digits = std::string(s - digits.size() + 1, '0') + digits;
    return out + digits.substr(0, digits.size() - s) + "." + digits.substr(digits.size() - s);
}

// Streams a JSON document in Jackson's default pretty-printed layout.
class JacksonPrettyPrinter final : public nlohmann::json_sax<Json> {
  public:
    std::string out;

    bool null() override {
        beforeValue();
        out += "null";
        return true;
    }
    bool boolean(bool v) override {
        beforeValue();
        out += v ? "true" : "false";
        return true;
    }
    bool number_integer(number_integer_t v) override {
        beforeValue();
        out += std::to_string(v);
        return true;
    }
    bool number_unsigned(number_unsigned_t v) override {
        beforeValue();
        out += std::to_string(v);
        return true;
    }
    bool number_float(number_float_t, const string_t& s) override {
        beforeValue();
        out += plainDecimal(s);
        return true;
    }
    bool string(string_t& v) override {
        beforeValue();
        appendJacksonString(out, v);
        return true;
    }
    bool binary(binary_t&) override { return false; }
    bool start_object(std::size_t) override {
        beforeValue();
        out += '{';
        stack_.push_back({true, 0});
        ++objectDepth_;
        return true;
    }
    bool key(string_t& k) override {
        Frame& f = stack_.back();
        if (f.count++ > 0) out += ',';
        out += '\n';
        out.append(static_cast<size_t>(objectDepth_) * 2, ' ');
        appendJacksonString(out, k);
        out += " : ";
        return true;
    }
    bool end_object() override {
        --objectDepth_;
        if (stack_.back().count > 0) {
            out += '\n';
            out.append(static_cast<size_t>(objectDepth_) * 2, ' ');
            out += '}';
        } else {
            out += " }";
        }
        stack_.pop_back();
        return true;
    }
    bool start_array(std::size_t) override {
        beforeValue();
        out += '[';
        stack_.push_back({false, 0});
        return true;
    }
    bool end_array() override {
        out += " ]";
        stack_.pop_back();
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

  private:
    struct Frame {
        bool object;
        int count;
    };
    void beforeValue() {
        if (stack_.empty() || stack_.back().object) return;
        out += stack_.back().count++ > 0 ? ", " : " ";
    }
    std::vector<Frame> stack_;
    int objectDepth_ = 0;
};

std::optional<std::string> prettyJson(std::string_view body) {
    JacksonPrettyPrinter printer;
    bool ok = false;
    try {
        ok = Json::sax_parse(body.begin(), body.end(), &printer);
    } catch (...) {
        ok = false;
    }
    if (!ok) return std::nullopt;
    return std::move(printer.out);
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
                if (attribute) {
                    out += "&quot;";
                } else {
                    out.push_back(c);
                }
                break;
            default:
                out.push_back(c);
        }
    }
}

void writeXmlNode(const pugi::xml_node& node, int depth, std::string& out) {
    std::string indent(static_cast<size_t>(depth) * 2, ' ');
    switch (node.type()) {
        case pugi::node_element: {
            out += indent + "<" + node.name();
            for (const auto& a : node.attributes()) {
                out += ' ';
                out += a.name();
                out += "=\"";
                appendXmlEscaped(out, a.value(), true);
                out += '"';
            }
            auto first = node.first_child();
            if (!first) {
                out += "/>\n";
                return;
            }
            if (!first.next_sibling() &&
                (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata)) {
                out += '>';
                if (first.type() == pugi::node_cdata) {
                    out += std::string("<![CDATA[") + first.value() + "]]>";
                } else {
                    appendXmlEscaped(out, first.value(), false);
                }
                out += std::string("</") + node.name() + ">\n";
                return;
            }
            out += ">\n";
            for (const auto& child : node.children()) writeXmlNode(child, depth + 1, out);
            out += indent + "</" + node.name() + ">\n";
            return;
        }
        case pugi::node_pcdata: {
            std::string_view text = trim(node.value());
            if (text.empty()) return;
            out += indent;
            appendXmlEscaped(out, text, false);
            out += '\n';
            return;
        }
        case pugi::node_cdata:
            out += indent + "<![CDATA[" + node.value() + "]]>\n";
            return;
        case pugi::node_comment:
            out += indent + "<!--" + node.value() + "-->\n";
            return;
        case pugi::node_pi:
            out += indent + "<?" + node.name() + " " + node.value() + "?>\n";
            return;
        default:
            return;
    }
}

std::optional<std::string> prettyXml(std::string_view body) {
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_comments)) {
        return std::nullopt;
    }
    std::string out;
    for (const auto& child : doc.children()) writeXmlNode(child, 0, out);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

// How Java prints a byte[]: its class name and an identity hash.
std::string javaByteArrayText(std::string_view body) {
    uint32_t h = 2166136261u;
    for (char c : body) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%x", h);
    return std::string("[B@") + buf;
}

// Java's String.hashCode over the UTF-16 form of a UTF-8 string.
int32_t javaStringHash(std::string_view s) {
    uint32_t h = 0;
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        uint32_t cp = c;
        size_t len = 1;
        if (c >= 0xF0 && i + 3 < s.size()) {
            cp = ((c & 7u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
                 (s[i + 3] & 0x3Fu);
            len = 4;
        } else if (c >= 0xE0 && i + 2 < s.size()) {
            cp = ((c & 15u) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            len = 3;
        } else if (c >= 0xC0 && i + 1 < s.size()) {
            cp = ((c & 31u) << 6) | (s[i + 1] & 0x3Fu);
            len = 2;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
        i += len;
    }
    return static_cast<int32_t>(h);
}

// ---------------------------------------------------------------------------------------------
// Multipart bodies

std::vector<WmRequest::Part> parseMultipart(std::string_view contentType, std::string_view body) {
    std::vector<WmRequest::Part> parts;
    auto boundary = headerParam(contentType, "boundary");
    if (!boundary || boundary->empty()) return parts;
    std::string mediaType(trim(contentType.substr(0, contentType.find(';'))));
    for (auto& c : mediaType) c = lowerAscii(c);
    // Form uploads keep only parts that carry a field name or a file name, as WireMock does.
    bool formMode = mediaType == "multipart/form-data" || mediaType == "multipart/mixed";
    const std::string delim = "--" + *boundary;

    size_t pos;
    if (body.substr(0, delim.size()) == delim) {
        pos = 0;
    } else {
        pos = body.find("\n" + delim);
        if (pos == std::string_view::npos) return parts;
        pos += 1;
    }
    while (true) {
        pos += delim.size();
        if (body.substr(pos, 2) == "--") break;
        while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
        if (body.substr(pos, 2) == "\r\n") {
            pos += 2;
        } else if (body.substr(pos, 1) == "\n") {
            pos += 1;
        } else {
            break;
        }
        WmRequest::Part part;
        // Headers up to the first empty line.
        while (pos < body.size()) {
            size_t eol = body.find('\n', pos);
            if (eol == std::string_view::npos) return parts;
            std::string_view line = body.substr(pos, eol - pos);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            pos = eol + 1;
            if (line.empty()) break;
            if ((line[0] == ' ' || line[0] == '\t') && !part.headers.empty()) {
                part.headers.back().second += " " + std::string(trim(line));
                continue;
            }
            size_t colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            part.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                      std::string(trim(line.substr(colon + 1))));
        }
        size_t next = body.find("\r\n" + delim, pos);
        size_t bodyEnd = next;
        if (next == std::string_view::npos) {
            next = body.find("\n" + delim, pos);
            if (next == std::string_view::npos) return parts;
            bodyEnd = next;
            next += 1;
        } else {
            next += 2;
        }
        part.body = std::string(body.substr(pos, bodyEnd - pos));
        pos = next;

        if (formMode) {
            std::optional<std::string> disposition;
            for (const auto& [k, v] : part.headers) {
                if (iequals(k, "Content-Disposition")) {
                    disposition = v;
                    break;
                }
            }
            std::optional<std::string> name, fileName;
            if (disposition && istartsWith(*disposition, "form-data")) {
                name = headerParam(*disposition, "name");
            }
            if (disposition && (istartsWith(*disposition, "form-data") ||
                                istartsWith(*disposition, "attachment"))) {
                fileName = headerParam(*disposition, "filename");
            }
            if (!name && !fileName) continue;
            part.name = name ? std::string(trim(*name)) : std::string();
            part.fileName = fileName;
        }
        parts.push_back(std::move(part));
    }
    return parts;
}

std::vector<std::string_view> partHeader(const WmRequest::Part& part, std::string_view name) {
    std::vector<std::string_view> out;
    for (const auto& [k, v] : part.headers) {
        if (iequals(k, name)) out.push_back(v);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Match result arithmetic

struct Aggregate {
    double sum = 0;
    double weight = 0;
    bool exact = true;
    void add(const MatchResult& r, double w = 1.0) {
        sum += w * (r.matched ? 0.0 : r.distance);
        weight += w;
        exact = exact && r.matched;
    }
    MatchResult result() const {
        if (exact) return MatchResult::exact();
        return MatchResult::miss(weight > 0 ? sum / weight : 1.0);
    }
};

MatchResult of(bool ok) { return ok ? MatchResult::exact() : MatchResult::miss(); }

bool isEqualToStyle(std::string_view name) {
    return name == "equalTo" || name == "equalToJson" || name == "equalToXml" ||
           name == "binaryEqualTo";
}

}  // namespace

// =============================================================================================
// WmRequest

WmRequest::WmRequest(const core::Request& req)
    : method(req.method),
      url(req.target),
      body(req.body),
      clientIp(req.remoteAddress),
      port(req.localPort) {
    headers.reserve(req.headers.size());
    for (const auto& h : req.headers) headers.emplace_back(h.name, h.value);
}

std::string_view WmRequest::path() const {
    size_t q = url.find('?');
    return q == std::string_view::npos ? url : url.substr(0, q);
}

std::string_view WmRequest::host() const {
    for (const auto& [k, v] : headers) {
        if (!iequals(k, "Host")) continue;
        std::string_view h = trim(v);
        if (!h.empty() && h[0] == '[') {
            size_t close = h.find(']');
            return close == std::string_view::npos ? h : h.substr(0, close + 1);
        }
        size_t colon = h.find(':');
        return colon == std::string_view::npos ? h : h.substr(0, colon);
    }
    return {};
}

std::vector<std::string_view> WmRequest::header(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) out.push_back(v);
    }
    return out;
}

const std::vector<std::pair<std::string, std::string>>& WmRequest::query() const {
    if (query_) return *query_;
    query_.emplace();
    size_t q = url.find('?');
    if (q != std::string_view::npos)
        core::parseQuery(url.substr(q + 1), *query_, core::EmptyParams::JavaSplit);
    return *query_;
}

const std::vector<std::pair<std::string, std::string>>& WmRequest::form() const {
    if (form_) return *form_;
    form_.emplace();
    auto ct = header("Content-Type");
    if (ct.empty()) return *form_;
    std::string type(ct.front());
    for (auto& c : type) c = lowerAscii(c);
    if (type.find("application/x-www-form-urlencoded") == std::string::npos) return *form_;
    core::parseQuery(body, *form_);
    return *form_;
}

const std::vector<std::pair<std::string, std::string>>& WmRequest::cookies() const {
    if (cookies_) return *cookies_;
    cookies_.emplace();
    for (std::string_view line : header("Cookie")) {
        size_t start = 0;
        for (size_t i = 0; i <= line.size(); ++i) {
            if (i < line.size() && line[i] != ';') continue;
            std::string_view piece = trim(line.substr(start, i - start));
            start = i + 1;
            size_t eq = piece.find('=');
            if (eq == std::string_view::npos) continue;
            std::string_view name = trim(piece.substr(0, eq));
            std::string_view value = trim(piece.substr(eq + 1));
            if (name.empty() || name[0] == '$') continue;
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            } else if (value.find(',') != std::string_view::npos) {
                continue;  // not a valid cookie value; the cookie is dropped
            }
            cookies_->emplace_back(std::string(name), std::string(value));
        }
    }
    return *cookies_;
}

bool WmRequest::isMultipart() const {
    auto ct = header("Content-Type");
    if (ct.empty()) return false;
    std::string_view v = ct.front();
    size_t i = 0;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    return istartsWith(v.substr(i), "multipart/");
}

const std::vector<WmRequest::Part>& WmRequest::parts() const {
    if (parts_) return *parts_;
    parts_.emplace();
    if (isMultipart()) *parts_ = parseMultipart(header("Content-Type").front(), body);
    return *parts_;
}

// =============================================================================================
// RequestPattern

namespace {

enum class UrlKind { Any, Url, UrlPattern, UrlPath, UrlPathPattern, UrlPathTemplate };

// `{name}` matches one path segment, `**` anything; the rest is literal.
struct PathTemplate {
    std::unique_ptr<RE2> re;
    std::vector<std::string> vars;
    std::string skeleton;  // the template with each variable and wildcard as "_", for distances

    void compile(std::string_view tmpl) {
        std::string pattern;
        int wildcards = 0;
        size_t last = 0, i = 0;
        auto addStatic = [&](size_t from, size_t to) {
            pattern += RE2::QuoteMeta(std::string(tmpl.substr(from, to - from)));
            skeleton += tmpl.substr(from, to - from);
        };
        while (i < tmpl.size()) {
            if (tmpl[i] == '{') {
                size_t close = tmpl.find('}', i + 1);
                if (close != std::string_view::npos && close > i + 1) {
                    addStatic(last, i);
                    std::string name;
                    for (char c : tmpl.substr(i + 1, close - i - 1)) {
                        if (c != '.' && c != ';' && c != '*') name.push_back(c);
                    }
                    pattern += "([^/]+)";
                    skeleton += '_';
                    vars.push_back(name);
                    i = last = close + 1;
                    continue;
                }
            } else if (tmpl.substr(i, 2) == "**") {
                addStatic(last, i);
                pattern += "(.*?)";
                skeleton += '_';
                vars.push_back(std::to_string(wildcards++));
                i = last = i + 2;
                continue;
            }
            ++i;
        }
        addStatic(last, tmpl.size());
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_dot_nl(true);
        re = std::make_unique<RE2>(pattern, opts);
    }

    bool matches(std::string_view path) const { return RE2::FullMatch(path, *re); }

    bool parse(std::string_view path, std::vector<std::pair<std::string, std::string>>* out) const {
        size_t n = vars.size();
        std::vector<std::string> values(n);
        std::vector<RE2::Arg> args(n);
        std::vector<const RE2::Arg*> argp(n);
        for (size_t i = 0; i < n; ++i) {
            args[i] = &values[i];
            argp[i] = &args[i];
        }
        if (!RE2::FullMatchN(path, *re, argp.data(), static_cast<int>(n))) return false;
        if (out) {
            out->clear();
            for (size_t i = 0; i < n; ++i) {
                bool replaced = false;
                for (auto& [k, v] : *out) {
                    if (k == vars[i]) {
                        v = values[i];
                        replaced = true;
                    }
                }
                if (!replaced) out->emplace_back(vars[i], values[i]);
            }
        }
        return true;
    }
};

// A headers / queryParameters / formParameters entry.
struct MultiField {
    enum class Kind { Single, Multiple, BasicAuth };
    std::string key;
    Kind kind = Kind::Single;
    ValueMatcherPtr single;                // Single
    MultiValueMatcherPtr multiple;         // Multiple (hasExactly / includes)
    std::string multipleOperator;          // " exactly " / " including "
    std::vector<ValueMatcherPtr> printed;  // Multiple: the listed matchers, for the diff
    std::string basicAuth;                 // BasicAuth: "Basic <base64>"

    MatchResult match(const std::vector<std::string_view>& values) const {
        switch (kind) {
            case Kind::Multiple:
                return multiple->match(values);
            case Kind::BasicAuth: {
                if (values.empty()) return MatchResult::miss();
                double best = 1.0;
                for (auto v : values) {
                    if (v.size() >= 6 && iequals(v.substr(0, 6), "Basic ") &&
                        v.substr(6) == std::string_view(basicAuth).substr(6)) {
                        return MatchResult::exact();
                    }
                    best = std::min(best, normalisedLevenshtein(basicAuth, v));
                }
                return MatchResult::miss(best);
            }
            case Kind::Single:
            default: {
                if (values.empty()) return single->match(std::nullopt);
                MatchResult best = MatchResult::miss(1.0);
                for (auto v : values) {
                    MatchResult r = single->match(v);
                    if (r.matched) return r;
                    if (r.distance < best.distance) best = r;
                }
                return best;
            }
        }
    }

    // The operator text between the key and the expected value in the diff's left column;
    // empty when the default (equalTo-like) separator applies.
    std::string op() const {
        switch (kind) {
            case Kind::Multiple: {
                std::string names;
                for (const auto& m : printed) {
                    if (!names.empty()) names += " AND ";
                    names += std::string(m->name()) + " " + m->expected();
                }
                return multipleOperator + "[" + names + "]";
            }
            case Kind::BasicAuth:
                return " [prefix] ";
            case Kind::Single:
            default:
                return isEqualToStyle(single->name()) ? ""
                                                      : " [" + std::string(single->name()) + "] ";
        }
    }
    std::string expected() const {
        switch (kind) {
            case Kind::Multiple:
                return "";
            case Kind::BasicAuth:
                return basicAuth;
            case Kind::Single:
            default:
                return single->expected();
        }
    }
};

struct BodyPattern {
    enum class Kind { String, Binary, SimplePath, AdvancedPath };
    Kind kind = Kind::String;
    ValueMatcherPtr matcher;
    // Path patterns (matchesJsonPath / matchesXPath): the expression and, in the advanced form,
    // the matcher applied to what it selects.
    bool xpath = false;
    std::string expression;
    ValueMatcherPtr sub;
    bool hasNamespaces = false;
    std::optional<core::JsonPath> jsonPath;  // advanced matchesJsonPath, for the diff

    MatchResult match(std::string_view body, bool nullWhenEmpty) const {
        if (kind == Kind::Binary) return matcher->match(body);
        if (nullWhenEmpty && body.empty()) return matcher->match(std::nullopt);
        return matcher->match(body);
    }
};

struct MultipartPattern {
    std::optional<std::string> name, fileName;
    bool all = false;
    bool hasHeaders = false, hasBodies = false;
    std::vector<MultiField> headers;
    std::vector<BodyPattern> bodies;

    bool matchesPart(const WmRequest::Part& part) const {
        if (!hasHeaders && !hasBodies) return true;
        for (const auto& h : headers) {
            if (!h.match(partHeader(part, h.key)).matched) return false;
        }
        for (const auto& b : bodies) {
            if (!b.match(part.body, false).matched) return false;
        }
        if (fileName && !fileName->empty()) {
            if (!part.fileName || *part.fileName != *fileName) return false;
        }
        return true;
    }

    bool matches(const WmRequest& req) const {
        const auto& parts = req.parts();
        if (all) {
            return std::all_of(parts.begin(), parts.end(),
                               [&](const WmRequest::Part& p) { return matchesPart(p); });
        }
        return std::any_of(parts.begin(), parts.end(),
                           [&](const WmRequest::Part& p) { return matchesPart(p); });
    }
};

MultiField compileMultiField(const std::string& key, const Json& spec, const std::string& pointer) {
    MultiField f;
    f.key = key;
    if (spec.is_object() && (spec.contains("hasExactly") || spec.contains("includes"))) {
        f.kind = MultiField::Kind::Multiple;
        f.multiple = compileMultiValueMatcher(spec, pointer);
        bool exactly = spec.contains("hasExactly");
        f.multipleOperator = exactly ? " exactly " : " including ";
        const char* listKey = exactly ? "hasExactly" : "includes";
        const Json& list = spec[listKey];
        if (list.is_array()) {
            for (size_t i = 0; i < list.size(); ++i) {
                f.printed.push_back(compileValueMatcher(
                    list[i], pointer + "/" + listKey + "/" + std::to_string(i)));
            }
        }
    } else {
        f.single = compileValueMatcher(spec, pointer);
    }
    return f;
}

std::vector<MultiField> compileMultiFields(const Json& v, const std::string& pointer) {
    std::vector<MultiField> out;
    const Json* obj = objectProp(v, pointer, kMultiMap);
    if (!obj) return out;
    for (const auto& [key, spec] : obj->items()) {
        out.push_back(compileMultiField(key, spec, pointer + "/" + escapePointer(key)));
    }
    return out;
}

std::vector<std::pair<std::string, ValueMatcherPtr>> compileStringFields(
    const Json& v, const std::string& pointer) {
    std::vector<std::pair<std::string, ValueMatcherPtr>> out;
    const Json* obj = objectProp(v, pointer, kStringMap);
    if (!obj) return out;
    for (const auto& [key, spec] : obj->items()) {
        out.emplace_back(key, compileValueMatcher(spec, pointer + "/" + escapePointer(key)));
    }
    return out;
}

BodyPattern compileBodyPattern(const Json& spec, const std::string& pointer) {
    BodyPattern b;
    b.matcher = compileValueMatcher(spec, pointer, true);
    std::string_view name = b.matcher->name();
    if (name == "binaryEqualTo") {
        b.kind = BodyPattern::Kind::Binary;
    } else if ((name == "matchesJsonPath" || name == "matchesXPath") && spec.is_object() &&
               spec.contains(std::string(name))) {
        b.xpath = name == "matchesXPath";
        b.hasNamespaces = spec.contains("xPathNamespaces");
        const Json& operand = spec[std::string(name)];
        if (operand.is_object()) {
            b.kind = BodyPattern::Kind::AdvancedPath;
            if (operand.contains("expression") && operand["expression"].is_string()) {
                b.expression = operand["expression"].get<std::string>();
            }
            Json rest = operand;
            rest.erase("expression");
            b.sub = compileValueMatcher(rest, pointer + "/" + std::string(name));
            if (!b.xpath)
                b.jsonPath =
                    core::JsonPath::compile(b.expression, nullptr, core::JsonPath::Dialect::Jayway);
        } else {
            b.kind = BodyPattern::Kind::SimplePath;
            b.expression = operand.is_string() ? operand.get<std::string>() : operand.dump();
        }
    }
    return b;
}

std::vector<BodyPattern> compileBodyPatterns(const Json& v, const std::string& pointer) {
    std::vector<BodyPattern> out;
    const Json* arr = arrayProp(v, pointer, kContentList);
    if (!arr) return out;
    for (size_t i = 0; i < arr->size(); ++i) {
        out.push_back(compileBodyPattern((*arr)[i], pointer + "/" + std::to_string(i)));
    }
    return out;
}

MultipartPattern compileMultipartPattern(const Json& v, const std::string& pointer) {
    if (!v.is_object()) notABean(pointer, kMultipartClass, v);
    MultipartPattern mp;
    for (const auto& [key, value] : v.items()) {
        std::string ptr = pointer + "/" + escapePointer(key);
        if (key == "name") {
            mp.name = stringProp(value, ptr);
        } else if (key == "fileName") {
            mp.fileName = stringProp(value, ptr);
        } else if (key == "matchingType") {
            if (value.is_null()) continue;
            if (value.is_string()) {
                std::string t = value.get<std::string>();
                if (t == "ALL") {
                    mp.all = true;
                } else if (t != "ANY") {
                    throw PatternError(
                        ptr, "Cannot deserialize value of type `" + std::string(kMultipartClass) +
                                 "$MatchingType` from String \"" + t +
                                 "\": not one of the values accepted for Enum class: [ALL, ANY]");
                }
            } else if (value.is_number_integer()) {
                auto idx = value.get<long long>();
                if (idx != 0 && idx != 1) {
                    throw PatternError(ptr, "Cannot deserialize value of type `" +
                                                std::string(kMultipartClass) +
                                                "$MatchingType` from number " + value.dump() +
                                                ": index value outside legal index range [0..1]");
                }
                mp.all = idx == 0;
            } else {
                cannotDeserialize(ptr, std::string(kMultipartClass) + "$MatchingType", value);
            }
        } else if (key == "headers") {
            mp.hasHeaders = !value.is_null();
            mp.headers = compileMultiFields(value, ptr);
        } else if (key == "bodyPatterns") {
            mp.hasBodies = !value.is_null();
            mp.bodies = compileBodyPatterns(value, ptr);
        } else if (key == "matchAny" || key == "matchAll") {
            // read-only properties WireMock accepts and ignores
        } else {
            unrecognized(pointer, key, kMultipartClass);
        }
    }
    return mp;
}

std::optional<std::string> compileCredentials(const Json& v, const std::string& pointer) {
    if (v.is_null()) return std::nullopt;
    if (!v.is_object()) notABean(pointer, kCredentialsClass, v);
    std::optional<std::string> user, pass;
    for (const auto& [key, value] : v.items()) {
        std::string ptr = pointer + "/" + escapePointer(key);
        if (key == "username") {
            user = stringProp(value, ptr);
        } else if (key == "password") {
            pass = stringProp(value, ptr);
        } else {
            unrecognized(pointer, key, kCredentialsClass);
        }
    }
    // Java string concatenation prints a missing part as "null".
    return "Basic " + base64Encode(user.value_or("null") + ":" + pass.value_or("null"));
}

int compilePort(const Json& v, const std::string& pointer) {
    auto outOfRange = [&](const std::string& text) -> PatternError {
        return PatternError(
            pointer, "Numeric value (" + text + ") out of range of int (-2147483648 - 2147483647)");
    };
    if (v.is_number_integer()) {
        if (v.is_number_unsigned()) {
            auto u = v.get<uint64_t>();
            if (u > 2147483647ull) throw outOfRange(v.dump());
            return static_cast<int>(u);
        }
        auto i = v.get<int64_t>();
        if (i > 2147483647ll || i < -2147483648ll) throw outOfRange(v.dump());
        return static_cast<int>(i);
    }
    if (v.is_number_float()) return static_cast<int>(v.get<double>());
    if (v.is_string()) {
        std::string s(trim(v.get<std::string>()));
        try {
            size_t used = 0;
            long long n = std::stoll(s, &used);
            if (used == s.size() && n >= -2147483648ll && n <= 2147483647ll) {
                return static_cast<int>(n);
            }
        } catch (...) {
        }
        throw PatternError(pointer,
                           "Cannot deserialize value of type `java.lang.Integer` from String \"" +
                               v.get<std::string>() + "\": not a valid `java.lang.Integer` value");
    }
    cannotDeserialize(pointer, "java.lang.Integer", v);
}

std::string compileMethod(const Json& v, const std::string& pointer) {
    constexpr std::string_view cls = "com.github.tomakehurst.wiremock.http.RequestMethod";
    if (v.is_null()) return "ANY";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object()) {
        throw PatternError(pointer, "Cannot construct instance of `" + std::string(cls) +
                                        "` (although at least one Creator exists): cannot "
                                        "deserialize from Object value (no delegate- or "
                                        "property-based Creator)");
    }
    notABean(pointer, cls, v);
}

// Java's HashMap iteration order for string keys inserted in `keys` order (WireMock merges
// basicAuthCredentials into the header patterns through a HashMap).
std::vector<size_t> javaHashMapOrder(const std::vector<std::string>& keys, size_t copied) {
    auto tableSizeFor = [](size_t c) {
        size_t n = 1;
        while (n < c) n <<= 1;
        return n;
    };
    size_t cap = copied > 0
                     ? tableSizeFor(static_cast<size_t>(static_cast<float>(copied) / 0.75f + 1.0f))
                     : 16;
    while (keys.size() > static_cast<size_t>(static_cast<float>(cap) * 0.75f)) cap <<= 1;
    std::vector<size_t> order(keys.size());
    std::vector<uint32_t> bucket(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
        order[i] = i;
        auto h = static_cast<uint32_t>(javaStringHash(keys[i]));
        h ^= h >> 16;
        bucket[i] = h & static_cast<uint32_t>(cap - 1);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return bucket[a] < bucket[b]; });
    return order;
}

}  // namespace

struct RequestPattern::Impl {
    UrlKind urlKind = UrlKind::Any;
    std::string urlValue;
    std::shared_ptr<const match::Regex> urlRegex;
    PathTemplate pathTemplate;

    std::string method = "ANY";
    std::optional<std::string> scheme;
    ValueMatcherPtr host;
    std::optional<int> port;
    ValueMatcherPtr clientIp;

    std::vector<MultiField> headers;  // basic auth last; iterate in headerOrder
    std::vector<size_t> headerOrder;
    std::vector<std::pair<std::string, ValueMatcherPtr>> pathParams;
    std::vector<MultiField> query;
    std::vector<MultiField> form;
    std::vector<std::pair<std::string, ValueMatcherPtr>> cookies;
    std::vector<BodyPattern> bodies;
    std::vector<MultipartPattern> multiparts;
    bool hasCustomMatcher = false;
    std::string customMatcherName;

    MatchResult matchUrl(const WmRequest& req) const {
        switch (urlKind) {
            case UrlKind::Any:
                return MatchResult::exact();
            case UrlKind::Url:
                return req.url == urlValue
                           ? MatchResult::exact()
                           : MatchResult::miss(normalisedLevenshtein(urlValue, req.url));
            case UrlKind::UrlPath: {
                std::string_view path = req.path();
                return path == urlValue ? MatchResult::exact()
                                        : MatchResult::miss(normalisedLevenshtein(urlValue, path));
            }
            case UrlKind::UrlPattern:
                return of(urlRegex->fullMatch(req.url));
            case UrlKind::UrlPathPattern:
                return of(urlRegex->fullMatch(req.path()));
            case UrlKind::UrlPathTemplate: {
                std::string_view path = req.path();
                return pathTemplate.matches(path)
                           ? MatchResult::exact()
                           : MatchResult::miss(normalisedLevenshtein(pathTemplate.skeleton, path));
            }
        }
        return MatchResult::miss();
    }

    bool methodMatches(const WmRequest& req) const {
        return method == "ANY" || req.method == method;
    }

    static std::vector<std::string_view> paramValues(
        const std::vector<std::pair<std::string, std::string>>& params, std::string_view key) {
        std::vector<std::string_view> out;
        for (const auto& [k, v] : params) {
            if (k == key) out.push_back(v);
        }
        return out;
    }

    std::optional<std::string_view> firstCookie(const WmRequest& req, std::string_view key) const {
        for (const auto& [k, v] : req.cookies()) {
            if (k == key) return std::string_view(v);
        }
        return std::nullopt;
    }

    MatchResult matchPathParams(const WmRequest& req) const {
        if (urlKind != UrlKind::UrlPathTemplate || pathParams.empty()) return MatchResult::exact();
        std::vector<std::pair<std::string, std::string>> values;
        if (!pathTemplate.parse(req.path(), &values)) return MatchResult::miss();
        Aggregate agg;
        for (const auto& [name, m] : pathParams) {
            std::optional<std::string_view> v;
            for (const auto& [k, val] : values) {
                if (k == name) v = val;
            }
            agg.add(m->match(v));
        }
        return agg.result();
    }

    MatchResult matchHeaders(const WmRequest& req) const {
        if (headers.empty()) return MatchResult::exact();
        Aggregate agg;
        for (const auto& h : headers) agg.add(h.match(req.header(h.key)));
        return agg.result();
    }

    static MatchResult matchParams(const std::vector<MultiField>& fields,
                                   const std::vector<std::pair<std::string, std::string>>& params) {
        if (fields.empty()) return MatchResult::exact();
        Aggregate agg;
        for (const auto& f : fields) agg.add(f.match(paramValues(params, f.key)));
        return agg.result();
    }

    MatchResult matchCookies(const WmRequest& req) const {
        if (cookies.empty()) return MatchResult::exact();
        Aggregate agg;
        for (const auto& [name, m] : cookies) {
            MatchResult best = MatchResult::miss();
            bool present = false;
            for (const auto& [k, v] : req.cookies()) {
                if (k != name) continue;
                present = true;
                MatchResult r = m->match(std::string_view(v));
                if (r.matched) {
                    best = r;
                    break;
                }
                if (r.distance < best.distance) best = r;
            }
            if (!present) best = of(m->name() == "absent" && m->acceptsAbsent());
            agg.add(best);
        }
        return agg.result();
    }

    MatchResult matchBodies(const WmRequest& req) const {
        if (bodies.empty()) return MatchResult::exact();
        Aggregate agg;
        for (const auto& b : bodies) agg.add(b.match(req.body, true));
        return agg.result();
    }

    MatchResult matchMultiparts(const WmRequest& req) const {
        if (multiparts.empty()) return MatchResult::exact();
        if (!req.isMultipart()) return MatchResult::miss();
        Aggregate agg;
        for (const auto& mp : multiparts) agg.add(of(mp.matches(req)));
        return agg.result();
    }
};

RequestPattern::RequestPattern(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
    method_ = impl_->method == "ANY" ? std::string() : impl_->method;
    if ((impl_->urlKind == UrlKind::Url || impl_->urlKind == UrlKind::UrlPath) &&
        impl_->urlValue.find('%') == std::string::npos) {
        std::string_view v = impl_->urlValue;
        literalPath_ = std::string(v.substr(0, v.find('?')));
    }
}

RequestPattern::~RequestPattern() = default;

std::shared_ptr<const RequestPattern> RequestPattern::compile(const Json& request,
                                                              const std::string& pointer) {
    auto impl = std::make_unique<Impl>();
    if (request.is_null()) return std::make_shared<const RequestPattern>(std::move(impl));
    if (!request.is_object()) {
        if (request.is_array()) cannotDeserialize(pointer, kRequestPatternClass, request);
        notABean(pointer, kRequestPatternClass, request);
    }

    std::optional<std::string>
        urls[5];  // url, urlPattern, urlPath, urlPathPattern, urlPathTemplate
    std::optional<std::string> basicAuth, basicAuthCredentials;
    const Json* pathParamsSpec = nullptr;
    std::string pathParamsPointer;

    for (const auto& [key, value] : request.items()) {
        std::string ptr = pointer + "/" + escapePointer(key);
        if (key == "url") {
            urls[0] = stringProp(value, ptr);
        } else if (key == "urlPattern") {
            urls[1] = stringProp(value, ptr);
        } else if (key == "urlPath") {
            urls[2] = stringProp(value, ptr);
        } else if (key == "urlPathPattern") {
            urls[3] = stringProp(value, ptr);
        } else if (key == "urlPathTemplate") {
            urls[4] = stringProp(value, ptr);
        } else if (key == "method") {
            impl->method = compileMethod(value, ptr);
        } else if (key == "scheme") {
            impl->scheme = stringProp(value, ptr);
        } else if (key == "host") {
            if (!value.is_null()) impl->host = compileValueMatcher(value, ptr);
        } else if (key == "port") {
            if (!value.is_null()) impl->port = compilePort(value, ptr);
        } else if (key == "clientIp") {
            if (!value.is_null()) impl->clientIp = compileValueMatcher(value, ptr);
        } else if (key == "headers") {
            impl->headers = compileMultiFields(value, ptr);
        } else if (key == "pathParameters") {
            if (objectProp(value, ptr, kStringMap)) {
                pathParamsSpec = &value;
                pathParamsPointer = ptr;
            }
        } else if (key == "queryParameters") {
            impl->query = compileMultiFields(value, ptr);
        } else if (key == "formParameters") {
            impl->form = compileMultiFields(value, ptr);
        } else if (key == "cookies") {
            impl->cookies = compileStringFields(value, ptr);
        } else if (key == "basicAuth") {
            basicAuth = compileCredentials(value, ptr);
        } else if (key == "basicAuthCredentials") {
            basicAuthCredentials = compileCredentials(value, ptr);
        } else if (key == "bodyPatterns") {
            impl->bodies = compileBodyPatterns(value, ptr);
        } else if (key == "multipartPatterns") {
            if (const Json* arr = arrayProp(value, ptr, kMultipartList)) {
                for (size_t i = 0; i < arr->size(); ++i) {
                    impl->multiparts.push_back(
                        compileMultipartPattern((*arr)[i], ptr + "/" + std::to_string(i)));
                }
            }
        } else if (key == "customMatcher") {
            if (value.is_null()) continue;
            if (!value.is_object()) notABean(ptr, kCustomMatcherClass, value);
            impl->hasCustomMatcher = true;
            impl->customMatcherName = "null";
            for (const auto& [k, v] : value.items()) {
                if (k == "name") {
                    impl->customMatcherName = stringProp(v, ptr + "/name").value_or("null");
                } else if (k != "parameters") {
                    unrecognized(ptr, k, kCustomMatcherClass);
                }
            }
        } else if (key == "name" || key == "expected" || key == "urlMatcher" || key == "matcher") {
            // read-only properties WireMock accepts and ignores
        } else {
            unrecognized(pointer, key, kRequestPatternClass);
        }
    }

    // One URL form; when several are given the first of this order wins, as in WireMock.
    static const UrlKind kinds[5] = {UrlKind::Url, UrlKind::UrlPattern, UrlKind::UrlPath,
                                     UrlKind::UrlPathPattern, UrlKind::UrlPathTemplate};
    for (int i = 0; i < 5; ++i) {
        if (!urls[i]) continue;
        impl->urlKind = kinds[i];
        impl->urlValue = *urls[i];
        break;
    }
    if (impl->urlKind == UrlKind::UrlPattern || impl->urlKind == UrlKind::UrlPathPattern) {
        std::string error;
        impl->urlRegex = match::Regex::compile(impl->urlValue, &error);
        if (!impl->urlRegex) throw PatternError(pointer, error);
    } else if (impl->urlKind == UrlKind::UrlPathTemplate) {
        impl->pathTemplate.compile(impl->urlValue);
        if (!impl->pathTemplate.re->ok()) {
            throw PatternError(pointer, "Invalid path template: " + impl->urlValue);
        }
    }
    if (pathParamsSpec) impl->pathParams = compileStringFields(*pathParamsSpec, pathParamsPointer);

    // basicAuthCredentials wins over basicAuth; either becomes an Authorization header check
    // that replaces a header pattern of that exact name.
    std::optional<std::string> credentials =
        basicAuthCredentials ? basicAuthCredentials : basicAuth;
    if (credentials) {
        size_t copied = impl->headers.size();
        impl->headers.erase(
            std::remove_if(impl->headers.begin(), impl->headers.end(),
                           [](const MultiField& f) { return f.key == "Authorization"; }),
            impl->headers.end());
        MultiField auth;
        auth.key = "Authorization";
        auth.kind = MultiField::Kind::BasicAuth;
        auth.basicAuth = *credentials;
        impl->headers.push_back(std::move(auth));
        std::vector<std::string> keys;
        for (const auto& h : impl->headers) keys.push_back(h.key);
        impl->headerOrder = javaHashMapOrder(keys, copied);
    } else {
        for (size_t i = 0; i < impl->headers.size(); ++i) impl->headerOrder.push_back(i);
    }
    return std::make_shared<const RequestPattern>(std::move(impl));
}

MatchResult RequestPattern::match(const WmRequest& req) const {
    const Impl& p = *impl_;
    // The request line and connection first (WireMock's weights); the rest only when they pass.
    Aggregate agg;
    agg.add(p.scheme ? of(*p.scheme == req.scheme) : MatchResult::exact(), 3.0);
    agg.add(p.host ? p.host->match(req.host()) : MatchResult::exact(), 10.0);
    agg.add(p.port ? of(*p.port == req.port) : MatchResult::exact(), 10.0);
    agg.add(p.clientIp ? p.clientIp->match(req.clientIp) : MatchResult::exact(), 3.0);
    agg.add(p.matchUrl(req), 10.0);
    agg.add(of(p.methodMatches(req)), 3.0);
    if (!agg.exact) return agg.result();

    agg.add(p.matchPathParams(req));
    agg.add(p.matchHeaders(req));
    agg.add(p.query.empty() ? MatchResult::exact() : Impl::matchParams(p.query, req.query()));
    agg.add(p.form.empty() ? MatchResult::exact() : Impl::matchParams(p.form, req.form()));
    agg.add(p.matchCookies(req));
    agg.add(p.matchBodies(req));
    agg.add(p.matchMultiparts(req));
    if (!agg.exact) return agg.result();

    // A named custom matcher needs an extension mockd does not have: WireMock's fallback for an
    // unknown one never matches.
    if (p.hasCustomMatcher) return MatchResult::miss(0.5);
    return MatchResult::exact();
}

std::vector<std::pair<std::string, std::string>> RequestPattern::pathParameters(
    const WmRequest& req) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (impl_->urlKind != UrlKind::UrlPathTemplate) return out;
    if (!impl_->pathTemplate.parse(req.path(), &out)) out.clear();
    return out;
}

// ---------------------------------------------------------------------------------------------
// Diff

namespace {

DiffRow spacer() { return DiffRow{"", "", "", true}; }

DiffRow section(const std::string& left, const std::string& right) {
    return DiffRow{left, left, right, true};
}

std::string valueLines(std::string_view key, const std::vector<std::string_view>& values) {
    std::string out;
    for (auto v : values) {
        if (!out.empty()) out += '\n';
        out += std::string(key) + ": " + std::string(v);
    }
    return out;
}

// The value column text of a string matcher for cookies and path parameters (Java's getValue).
std::string matcherValue(const ValueMatcher& m) {
    if (m.name() == "absent") return "null";
    return m.expected();
}

std::string formatBody(const BodyPattern& b, std::string_view body) {
    if (body.empty()) return "";
    if (b.kind == BodyPattern::Kind::Binary) return base64Encode(body);
    std::string_view name = b.matcher->name();
    if (name == "equalToJson") {
        if (auto j = prettyJson(body)) return *j;
    } else if (name == "equalToXml") {
        if (auto x = prettyXml(body)) return *x;
    }
    return std::string(body);
}

// What a path expression selects in the body, printed as WireMock lists it; nullopt when the
// body is empty, unreadable or nothing is selected.
std::optional<std::string> expressionResult(const BodyPattern& b, std::string_view body) {
    if (body.empty()) return std::nullopt;
    std::vector<std::string> values;
    if (b.xpath) {
        if (b.hasNamespaces) return std::nullopt;
        pugi::xml_document doc;
        if (!doc.load_buffer(body.data(), body.size())) return std::nullopt;
        try {
            pugi::xpath_query q(b.expression.c_str());
            if (q.return_type() == pugi::xpath_type_node_set) {
                for (const auto& n : q.evaluate_node_set(doc)) {
                    values.push_back(n.attribute() ? n.attribute().value() : n.node().text().get());
                }
            } else {
                values.push_back(q.evaluate_string(doc));
            }
        } catch (...) {
            return std::nullopt;
        }
    } else {
        const auto& path = b.jsonPath;
        if (!path) return std::nullopt;
        Json doc = Json::parse(body.begin(), body.end(), nullptr, false);
        if (doc.is_discarded()) return std::nullopt;
        std::vector<const Json*> found;
        path->evaluate(doc, found);
        for (const Json* j : found)
            values.push_back(j->is_string() ? j->get<std::string>() : j->dump());
    }
    if (values.empty()) return std::nullopt;
    if (values.size() == 1) return values.front();
    std::string out = "[";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i];
    return out + "]";
}

void addHeaderRows(const std::vector<MultiField>& fields, const std::vector<size_t>* order,
                   const std::function<std::vector<std::string_view>(std::string_view)>& lookup,
                   std::vector<DiffRow>& rows) {
    if (fields.empty()) return;
    for (size_t n = 0; n < fields.size(); ++n) {
        const MultiField& f = fields[order ? (*order)[n] : n];
        auto values = lookup(f.key);
        std::string expected = f.expected();
        rows.push_back(DiffRow{"Header", f.key + f.op() + (expected.empty() ? "" : ": " + expected),
                               valueLines(f.key, values), f.match(values).matched});
    }
    rows.push_back(spacer());
}

void addBodyRows(const std::vector<BodyPattern>& bodies, std::string_view body,
                 std::vector<DiffRow>& rows) {
    for (const auto& b : bodies) {
        std::string formatted = formatBody(b, body);
        switch (b.kind) {
            case BodyPattern::Kind::SimplePath:
                rows.push_back(DiffRow{"Body", b.expression, formatted,
                                       b.matcher->match(std::string_view(formatted)).matched});
                break;
            case BodyPattern::Kind::AdvancedPath: {
                std::string printed =
                    b.expression + " [" + std::string(b.sub->name()) + "] " + b.sub->expected();
                if (auto result = expressionResult(b, body)) {
                    rows.push_back(DiffRow{"Body", printed, *result,
                                           b.sub->match(std::string_view(*result)).matched});
                } else {
                    rows.push_back(DiffRow{"Body", printed, formatted,
                                           b.matcher->match(std::string_view(formatted)).matched});
                }
                break;
            }
            case BodyPattern::Kind::Binary:
                rows.push_back(DiffRow{"Body", b.matcher->expected(), javaByteArrayText(body),
                                       b.matcher->match(body).matched});
                break;
            case BodyPattern::Kind::String:
            default: {
                std::string actual = "\n" + formatted;
                rows.push_back(DiffRow{
                    "Body", "[" + std::string(b.matcher->name()) + "]\n" + b.matcher->expected(),
                    actual, b.matcher->match(std::string_view(actual)).matched});
                break;
            }
        }
    }
}

}  // namespace

std::vector<DiffRow> RequestPattern::diff(const WmRequest& req) const {
    const Impl& p = *impl_;
    std::vector<DiffRow> rows;

    if (p.host) {
        std::string_view name = p.host->name();
        std::string printed =
            (isEqualToStyle(name) ? "" : " [" + std::string(name) + "] ") + p.host->expected();
        rows.push_back(DiffRow{"Host", std::string(trim(printed)), std::string(req.host()),
                               p.host->match(req.host()).matched});
    }
    if (p.port) {
        rows.push_back(DiffRow{"Port", std::to_string(*p.port), std::to_string(req.port),
                               *p.port == req.port});
    }
    if (p.clientIp) {
        rows.push_back(DiffRow{"ClientIp",
                               std::string(p.clientIp->name()) + " " + p.clientIp->expected(),
                               std::string(req.clientIp), p.clientIp->match(req.clientIp).matched});
    }
    if (p.scheme) {
        rows.push_back(
            DiffRow{"Scheme", *p.scheme, std::string(req.scheme), *p.scheme == req.scheme});
    }
    rows.push_back(DiffRow{"HTTP method", p.method, std::string(req.method), p.methodMatches(req)});

    std::string printedUrl;
    switch (p.urlKind) {
        case UrlKind::Any:
            printedUrl = "(always)";
            break;
        case UrlKind::Url:
            printedUrl = p.urlValue;
            break;
        case UrlKind::UrlPattern:
            printedUrl = "[regex] " + p.urlValue;
            break;
        case UrlKind::UrlPath:
            printedUrl = "[path] " + p.urlValue;
            break;
        case UrlKind::UrlPathPattern:
            printedUrl = "[path regex] " + p.urlValue;
            break;
        case UrlKind::UrlPathTemplate:
            printedUrl = "[path template] " + p.urlValue;
            break;
    }
    bool urlMatched = p.matchUrl(req).matched;
    rows.push_back(DiffRow{"URL", printedUrl, std::string(req.url), urlMatched});
    rows.push_back(spacer());

    addHeaderRows(
        p.headers, &p.headerOrder, [&](std::string_view k) { return req.header(k); }, rows);

    if (p.urlKind == UrlKind::UrlPathTemplate && !p.pathParams.empty() && urlMatched) {
        std::vector<std::pair<std::string, std::string>> values;
        p.pathTemplate.parse(req.path(), &values);
        for (const auto& [name, value] : values) {
            for (const auto& [pname, m] : p.pathParams) {
                if (pname != name) continue;
                std::string op =
                    isEqualToStyle(m->name()) ? " = " : " [" + std::string(m->name()) + "] ";
                rows.push_back(DiffRow{"Path parameter",
                                       "Path parameter: " + name + op + matcherValue(*m), value,
                                       m->match(std::string_view(value)).matched});
                break;
            }
        }
        rows.push_back(spacer());
    }

    auto paramRows = [&](const std::vector<MultiField>& fields,
                         const std::vector<std::pair<std::string, std::string>>& params,
                         const char* label, const char* prefix) {
        if (fields.empty()) return;
        for (const auto& f : fields) {
            auto values = Impl::paramValues(params, f.key);
            std::string op = f.op();
            rows.push_back(DiffRow{label, prefix + f.key + (op.empty() ? " = " : op) + f.expected(),
                                   valueLines(f.key, values), f.match(values).matched});
        }
        rows.push_back(spacer());
    };
    if (!p.query.empty()) paramRows(p.query, req.query(), "Query", "Query: ");
    if (!p.form.empty()) paramRows(p.form, req.form(), "Form data", "Form: ");

    if (!p.cookies.empty()) {
        for (const auto& [name, m] : p.cookies) {
            std::string value(p.firstCookie(req, name).value_or(""));
            std::string op = isEqualToStyle(m->name()) ? "=" : " [" + std::string(m->name()) + "] ";
            rows.push_back(DiffRow{"Cookie", "Cookie: " + name + op + matcherValue(*m), value,
                                   m->match(std::string_view(value)).matched});
        }
        rows.push_back(spacer());
    }

    addBodyRows(p.bodies, req.body, rows);

    for (const auto& mp : p.multiparts) {
        if (!req.isMultipart()) {
            rows.push_back(section("[Multipart request body]", ""));
            continue;
        }
        if (mp.matches(req)) continue;
        for (const auto& part : req.parts()) {
            rows.push_back(spacer());
            rows.push_back(section("[Multipart" + (mp.name ? ": " + *mp.name : "") + "]",
                                   "[" + part.name + "]"));
            rows.push_back(spacer());
            if (!mp.matchesPart(part)) {
                addHeaderRows(
                    mp.headers, nullptr, [&](std::string_view k) { return partHeader(part, k); },
                    rows);
                addBodyRows(mp.bodies, part.body, rows);
                rows.push_back(spacer());
            }
            rows.push_back(section("[/Multipart]", "[/" + part.name + "]"));
            rows.push_back(spacer());
        }
    }

    if (p.hasCustomMatcher) {
        std::string title = "[custom matcher: " + p.customMatcherName + "]";
        rows.push_back(section(title, title));
    }
    return rows;
}

// ---------------------------------------------------------------------------------------------
// Plain-text report

namespace {

constexpr size_t kConsoleWidth = 119;
constexpr size_t kMiddle = kConsoleWidth / 2 - 1;       // 58
constexpr size_t kColumnWidth = kConsoleWidth / 2 - 2;  // 57

// The report is laid out in UTF-16 code units, as Java measures strings: a malformed UTF-8 byte
// reads as U+FFFD and a surrogate pair split by wrapping prints as '?'.
std::u16string toUtf16(std::string_view s) {
    std::u16string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
        bool ok = len > 0 && i + len <= s.size();
        for (size_t k = 1; ok && k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (!ok) {
            out.push_back(u'\uFFFD');
            ++i;
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
        i += len;
    }
    return out;
}

void appendUtf8(std::string& out, std::u16string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        uint32_t cp = s[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
            s[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            ++i;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            out.push_back('?');
            continue;
        }
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
}

void appendPadded(std::string& out, std::u16string_view s, size_t width) {
    appendUtf8(out, s);
    if (s.size() < width) out.append(width - s.size(), ' ');
}

// Word wrapping as WireMock's column renderer does it: wrap on spaces, break longer words, and
// leave the text alone when no line exceeds the width; lines left blank are dropped.
std::u16string wrapColumn(const std::u16string& s) {
    size_t longest = 0, lineStart = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == u'\n') {
            longest = std::max(longest, i - lineStart);
            lineStart = i + 1;
        }
    }
    if (longest <= kColumnWidth) return s;

    const size_t width = kColumnWidth;
    std::u16string out;
    size_t offset = 0;
    const size_t len = s.size();
    while (offset < len) {
        size_t spaceToWrapAt = std::u16string::npos;
        size_t windowEnd = std::min(offset + width + 1, len);
        size_t firstSpace = s.find(u' ', offset);
        if (firstSpace != std::u16string::npos && firstSpace < windowEnd) {
            if (firstSpace == offset) {
                ++offset;
                continue;
            }
            spaceToWrapAt = firstSpace;
        }
        if (len - offset <= width) break;
        if (spaceToWrapAt != std::u16string::npos) {
            size_t lastSpace = s.rfind(u' ', windowEnd - 1);
            if (lastSpace != std::u16string::npos && lastSpace >= offset) spaceToWrapAt = lastSpace;
            out.append(s, offset, spaceToWrapAt - offset);
            out += u'\n';
            offset = spaceToWrapAt + 1;
        } else {
            out.append(s, offset, width);
            out += u'\n';
            offset += width;
        }
    }
    out.append(s, offset, std::u16string::npos);

    std::u16string cleaned;
    size_t pos = 0;
    while (pos < out.size()) {
        size_t eol = out.find(u'\n', pos);
        if (eol == std::u16string::npos) {
            cleaned.append(out, pos, std::u16string::npos);
            break;
        }
        std::u16string_view line(out.data() + pos, eol - pos);
        if (!line.empty() && line.back() == u'\r') line.remove_suffix(1);
        bool blank = std::all_of(line.begin(), line.end(),
                                 [](char16_t c) { return c == u' ' || c == u'\t'; });
        if (!blank) cleaned.append(out, pos, eol - pos + 1);
        pos = eol + 1;
    }
    return cleaned;
}

std::vector<std::u16string> columnLines(const std::string& s) {
    std::u16string text = toUtf16(s);
    std::u16string normalised;
    normalised.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') continue;
        normalised.push_back(text[i]);
    }
    std::u16string wrapped = wrapColumn(normalised);
    std::vector<std::u16string> lines;
    size_t start = 0;
    for (size_t i = 0; i <= wrapped.size(); ++i) {
        if (i == wrapped.size() || wrapped[i] == u'\n') {
            lines.emplace_back(wrapped, start, i - start);
            start = i + 1;
        }
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

void writeSingleLine(std::string& out, std::u16string_view left, std::u16string_view right,
                     const std::optional<std::string>& message) {
    appendPadded(out, left, kMiddle + 1);
    out += '|';
    bool hasMessage = message && !message->empty();
    if (!right.empty()) {
        out += ' ';
        if (hasMessage) {
            appendPadded(out, right, kMiddle - 6);
            out += "<<<<< " + *message;
        } else {
            appendUtf8(out, right);
        }
    } else if (hasMessage) {
        out.append(kMiddle - 5, ' ');
        out += "<<<<< " + *message;
    }
    out += '\n';
}

void writeBlankLine(std::string& out) { writeSingleLine(out, u"", u"", std::nullopt); }

void writeLine(std::string& out, const std::string& left, const std::string& right,
               const std::optional<std::string>& message) {
    auto l = columnLines(left);
    auto r = columnLines(right);
    size_t n = std::max(l.size(), r.size());
    writeSingleLine(out, l.empty() ? u"" : l[0], r.empty() ? u"" : r[0], message);
    for (size_t i = 1; i < n; ++i) {
        writeSingleLine(out, i < l.size() ? l[i] : u"", i < r.size() ? r[i] : u"", std::nullopt);
    }
}

bool questionMarksEscaped(std::string_view pattern) {
    size_t q = pattern.find('?');
    if (q == std::string_view::npos) return true;
    if (q < 2) return false;
    return pattern[q - 1] == '\\';
}

std::optional<std::string> rowMessage(const DiffRow& row) {
    if (row.label.empty()) return std::nullopt;
    std::optional<std::string> message;
    if (row.actual.empty()) {
        message = row.label + " is not present";
    } else if (!row.matched) {
        message = row.label + " does not match";
    }
    if (row.label == "URL" && row.expected != "(always)") {
        std::string_view printed = row.expected;
        bool regex = false;
        for (std::string_view prefix :
             {"[regex] ", "[path regex] ", "[path template] ", "[path] "}) {
            if (printed.substr(0, prefix.size()) == prefix) {
                regex = prefix == "[regex] " || prefix == "[path regex] ";
                printed.remove_prefix(prefix.size());
                break;
            }
        }
        if (regex && !questionMarksEscaped(printed)) {
            message = message.value_or("null") + ". When using a regex, \"?\" should be \"\\?\"";
        }
        if (printed.substr(0, 1) != "/") {
            message = message.value_or("null") + ". URLs must start with a /";
        }
    }
    return message;
}

}  // namespace

std::string renderDiffReport(const std::vector<DiffRow>& rows, std::string_view stubName) {
    const std::string title = "Request was not matched";
    const size_t titlePad = kMiddle - title.size() / 2;
    const std::string rule(kConsoleWidth, '-');
    std::string out;
    out.reserve(4096);
    out += '\n';
    out += std::string(titlePad, ' ') + title + '\n';
    out += std::string(titlePad, ' ') + std::string(title.size(), '=') + '\n';
    out += '\n';
    out += rule + '\n';
    out += "| Closest stub" + std::string(kMiddle - 13, ' ') + "| Request" +
           std::string(kMiddle - 8, ' ') + "|\n";
    out += rule + '\n';
    writeBlankLine(out);

    if (!stubName.empty()) {
        writeLine(out, std::string(stubName), "", std::nullopt);
        writeBlankLine(out);
    }
    for (const auto& row : rows) {
        if (row.label == "Body" && row.matched) continue;  // matching body patterns are not shown
        writeLine(out, row.expected, row.actual, rowMessage(row));
    }
    writeBlankLine(out);
    out += rule + '\n';
    return out;
}

}  // namespace mockd::wiremock
