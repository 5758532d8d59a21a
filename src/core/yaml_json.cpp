// YAML/JSON source positions for configuration messages.
#include "core/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>

namespace mockd::core {

namespace {

constexpr int kMaxDepth = 256;

// yaml-cpp passes any bytes through, but a JSON string must be UTF-8 (nlohmann throws when it
// prints one that is not), so bad bytes are refused here, where the line is still known.
bool validUtf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = 0;  // continuation bytes
        if (c >= 0x80) {
            if ((c & 0xE0) == 0xC0)
                n = 1;
            else if ((c & 0xF0) == 0xE0)
                n = 2;
            else if ((c & 0xF8) == 0xF0)
                n = 3;
            else
                return false;
        }
        if (s.size() - i <= n) return false;
        uint32_t cp = n == 0 ? c : c & (0x3F >> n);
        for (size_t k = 1; k <= n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
        static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
        i += n + 1;
    }
    return true;
}

const std::string& utf8(const YAML::Node& n, const std::string& s) {
    if (!validUtf8(s)) throw YAML::ParserException(n.Mark(), "invalid UTF-8 in a string");
    return s;
}

Json plainScalar(const std::string& s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    const char* b = s.c_str();
    char* end = nullptr;
    bool digitsOnly = true;
    for (size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0; i < s.size(); ++i)
        digitsOnly = digitsOnly && std::isdigit(static_cast<unsigned char>(s[i]));
    if (digitsOnly && s.size() > ((s[0] == '-' || s[0] == '+') ? 1u : 0u)) {
        errno = 0;
        long long v = std::strtoll(b, &end, 10);
        if (errno == 0 && *end == '\0') return v;
    }
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        errno = 0;
        long long v = std::strtoll(b + 2, &end, s[1] == 'x' ? 16 : 8);
        if (errno == 0 && *end == '\0') return v;
    }
    if (s == ".inf" || s == ".Inf" || s == "+.inf") return std::numeric_limits<double>::infinity();
    if (s == "-.inf" || s == "-.Inf") return -std::numeric_limits<double>::infinity();
    // A float per the core schema: digits with a '.' or an exponent, nothing else.
    bool floatChars = s.find_first_not_of("0123456789+-.eE") == std::string::npos &&
                      s.find_first_of("0123456789") != std::string::npos;
    if (floatChars) {
        double d = std::strtod(b, &end);
        if (*end == '\0' && std::isfinite(d)) return d;
    }
    return s;
}

Json convert(const YAML::Node& n, const std::string& path, LineMap& lines, int depth) {
    if (depth > kMaxDepth) throw YAML::ParserException(n.Mark(), "document nested too deeply");
    if (n.Mark().line >= 0) lines.emplace(path, n.Mark().line + 1);
    switch (n.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return nullptr;
        case YAML::NodeType::Scalar:
            // Quoted scalars carry the "!" tag and are always strings.
            if (n.Tag() == "!") return utf8(n, n.Scalar());
            return plainScalar(utf8(n, n.Scalar()));
        case YAML::NodeType::Sequence: {
            Json arr = Json::array();
            size_t i = 0;
            for (const auto& item : n)
                arr.push_back(
                    convert(item, path + "[" + std::to_string(i++) + "]", lines, depth + 1));
            return arr;
        }
        case YAML::NodeType::Map: {
            Json obj = Json::object();
            for (const auto& kv : n) {
                std::string key = utf8(kv.first, kv.first.Scalar());
                std::string child = path.empty() ? key : path + "." + key;
                obj[key] = convert(kv.second, child, lines, depth + 1);
                if (kv.first.Mark().line >= 0) lines[child] = kv.first.Mark().line + 1;
            }
            return obj;
        }
    }
    return nullptr;
}

// A small JSON scanner that only tracks positions; the text is known to be valid JSON.
struct Scanner {
    std::string_view t;
    size_t i = 0;
    int line = 1;
    LineMap& lines;

    void ws() {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) {
            if (t[i] == '\n') ++line;
            ++i;
        }
    }
    std::string str() {
        std::string out;
        ++i;  // opening quote
        while (i < t.size() && t[i] != '"') {
            if (t[i] == '\\' && i + 1 < t.size()) {
                out += t[i + 1];
                i += 2;
                continue;
            }
            out += t[i++];
        }
        ++i;
        return out;
    }
    void value(const std::string& path, int depth) {
        ws();
        if (i >= t.size() || depth > kMaxDepth) return;
        lines.emplace(path, line);
        char c = t[i];
        if (c == '{') {
            ++i;
            for (;;) {
                ws();
                if (i >= t.size() || t[i] == '}') {
                    ++i;
                    return;
                }
                if (t[i] == ',') {
                    ++i;
                    continue;
                }
                if (t[i] != '"') return;
                int keyLine = line;
                std::string key = str();
                std::string child = path.empty() ? key : path + "." + key;
                ws();
                if (i < t.size() && t[i] == ':') ++i;
                value(child, depth + 1);
                lines[child] = keyLine;
            }
        } else if (c == '[') {
            ++i;
            size_t idx = 0;
            for (;;) {
                ws();
                if (i >= t.size() || t[i] == ']') {
                    ++i;
                    return;
                }
                if (t[i] == ',') {
                    ++i;
                    continue;
                }
                value(path + "[" + std::to_string(idx++) + "]", depth + 1);
            }
        } else if (c == '"') {
            str();
        } else {
            while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != '\n') ++i;
        }
    }
};

// A string, quoted when a YAML reader would take it for another type or mangle it. Keys too:
// an unquoted `200:` is the number 200 to other tools (OpenAPI's status keys are strings).
void emitString(YAML::Emitter& e, const std::string& s) {
    Json reread = plainScalar(s);
    if (!reread.is_string() || s.find_first_of(":{}[],#&*!|>'\"%@`\n") != std::string::npos ||
        s.empty() || s.front() == ' ' || s.back() == ' ' || s.front() == '-' || s.front() == '?')
        e << YAML::DoubleQuoted << s;
    else
        e << s;
}

void emit(YAML::Emitter& e, const Json& j) {
    switch (j.type()) {
        case Json::value_t::object:
            e << YAML::BeginMap;
            for (auto it = j.begin(); it != j.end(); ++it) {
                e << YAML::Key;
                emitString(e, it.key());
                e << YAML::Value;
                emit(e, it.value());
            }
            e << YAML::EndMap;
            break;
        case Json::value_t::array:
            e << YAML::BeginSeq;
            for (const auto& v : j) emit(e, v);
            e << YAML::EndSeq;
            break;
        case Json::value_t::string:
            emitString(e, j.get_ref<const std::string&>());
            break;
        case Json::value_t::null:
            e << YAML::Null;
            break;
        case Json::value_t::boolean:
            e << j.get<bool>();
            break;
        case Json::value_t::number_float:
            e << j.get<double>();
            break;
        case Json::value_t::number_unsigned:
            e << j.get<uint64_t>();
            break;
        default:
            e << j.get<int64_t>();
            break;
    }
}

}  // namespace

std::string jsonToYaml(const Json& doc) {
    YAML::Emitter e;
    emit(e, doc);
    return std::string(e.c_str()) + "\n";
}

Json yamlToJson(const YAML::Node& node, LineMap& lines) { return convert(node, "", lines, 0); }

void jsonLines(std::string_view text, LineMap& lines) {
    Scanner s{text, 0, 1, lines};
    s.value("", 0);
}

int lineOf(const LineMap& lines, const std::string& field) {
    std::string f = field;
    for (;;) {
        if (auto it = lines.find(f); it != lines.end()) return it->second;
        if (f.empty()) return 0;
        size_t cut = f.find_last_of(".[");
        f = cut == std::string::npos ? std::string() : f.substr(0, cut);
    }
}

}  // namespace mockd::core
