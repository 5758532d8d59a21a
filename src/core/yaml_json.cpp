// YAML/JSON source positions for configuration messages.
#include "core/yaml_json.h"

#include <yaml-cpp/yaml.h>
#include <yaml.h>

#include <algorithm>
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
    // U+2028 and U+2029 are line breaks to YAML 1.1 readers (libyaml, PyYAML), which fold them
    // away in a quoted string: escaped, every reader reads them back.
    if (s.find("\xE2\x80\xA8") != std::string::npos ||
        s.find("\xE2\x80\xA9") != std::string::npos) {
        e << YAML::EscapeNonAscii << YAML::DoubleQuoted << s;
        return;
    }
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

// ---------------------------------------------------------------- reading YAML with libyaml

// libyaml's parser over a text, released whatever happens.
class EventParser {
  public:
    explicit EventParser(std::string_view text) : text_(text) {
        if (!yaml_parser_initialize(&parser_)) throw YamlError(0, "out of memory");
        yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size());
    }
    ~EventParser() { yaml_parser_delete(&parser_); }
    EventParser(const EventParser&) = delete;
    EventParser& operator=(const EventParser&) = delete;

    // The next event into `e` (which the caller deletes); throws on a syntax error.
    void next(yaml_event_t& e) {
        if (yaml_parser_parse(&parser_, &e)) return;
        std::string msg = parser_.problem ? parser_.problem : "unreadable YAML";
        if (parser_.error == YAML_READER_ERROR) {  // bad bytes: libyaml gives their offset
            const size_t at = std::min(parser_.problem_offset, text_.size());
            const auto newlines = std::count(text_.begin(), text_.begin() + at, '\n');
            throw YamlError(static_cast<int>(newlines) + 1, msg);
        }
        int line = static_cast<int>(parser_.problem_mark.line) + 1;
        if (parser_.context) {
            msg += std::string(" ") + parser_.context;
            // Found missing at the end of the text: the line that opened what is unclosed.
            if (parser_.problem_mark.index >= text_.size())
                line = static_cast<int>(parser_.context_mark.line) + 1;
        }
        // At the end of the text, libyaml counts the line after the last one.
        const auto lastLine = std::count(text_.begin(), text_.end(), '\n') +
                              (text_.empty() || text_.back() != '\n' ? 1 : 0);
        throw YamlError(std::max(1, std::min(line, static_cast<int>(lastLine))), msg);
    }

  private:
    std::string_view text_;
    yaml_parser_t parser_{};
};

struct Event {
    yaml_event_t e{};
    ~Event() { yaml_event_delete(&e); }
};

std::string cstr(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

int eventLine(const yaml_event_t& e) { return static_cast<int>(e.start_mark.line) + 1; }

// Aliases copy what they name: a document of nested aliases could expand without bound
// ("billion laughs"), so the copies share one budget of values.
constexpr size_t kAliasBudget = 1'000'000;

size_t valueCount(const Json& v, size_t stopAt) {
    size_t n = 1;
    if (v.is_structured())
        for (const auto& child : v) {
            n += valueCount(child, stopAt - std::min(n, stopAt));
            if (n > stopAt) break;
        }
    return n;
}

// Builds the JSON document from libyaml's events: the open sequences and mappings on a stack,
// each value placed in its parent as it completes.
class JsonBuilder {
  public:
    // Without a line map, no paths are made at all (most documents never need a line).
    explicit JsonBuilder(LineMap* lines) : lines_(lines) {}

    bool done() const { return done_; }
    Json take() { return std::move(root_); }

    void scalar(const yaml_event_t& e) {
        const auto& s = e.data.scalar;
        std::string value(reinterpret_cast<const char*>(s.value), s.length);
        if (!s.anchor && takesKey(value, eventLine(e), s.style == YAML_PLAIN_SCALAR_STYLE)) return;
        // Quoted and block scalars are strings, as are plain ones tagged !!str or "!".
        const bool plain =
            s.style == YAML_PLAIN_SCALAR_STYLE &&
            (!s.tag || (cstr(s.tag) != "tag:yaml.org,2002:str" && cstr(s.tag) != "!"));
        Json v = plain ? plainScalar(value) : Json(std::move(value));
        if (s.anchor) {
            anchors_[cstr(s.anchor)] = v;
            if (takesKey(v.is_string() ? v.get<std::string>() : v.dump(), eventLine(e),
                         s.style == YAML_PLAIN_SCALAR_STYLE))
                return;
        }
        place(std::move(v), eventLine(e));
    }

    void alias(const yaml_event_t& e) {
        const std::string name = cstr(e.data.alias.anchor);
        auto found = anchors_.find(name);
        if (found == anchors_.end())
            throw YamlError(eventLine(e), "the alias *" + name + " names no anchor before it");
        const Json& v = found->second;
        if (takesKey(v.is_string() ? v.get<std::string>() : v.dump(), eventLine(e), false)) return;
        const size_t cost = valueCount(v, kAliasBudget);
        if (cost > kAliasBudget - aliasSpent_)
            throw YamlError(eventLine(e), "aliases expand to more than " +
                                              std::to_string(kAliasBudget) + " values");
        aliasSpent_ += cost;
        place(v, eventLine(e));
    }

    void open(const yaml_event_t& e, bool mapping) {
        if (expectingKey())
            throw YamlError(eventLine(e),
                            std::string("a mapping key must be a single value, not a ") +
                                (mapping ? "mapping" : "sequence"));
        if (stack_.size() >= static_cast<size_t>(kMaxDepth))
            throw YamlError(eventLine(e), "document nested too deeply");
        const yaml_char_t* anchor =
            mapping ? e.data.mapping_start.anchor : e.data.sequence_start.anchor;
        Open o;
        o.anchor = cstr(anchor);
        o.mapping = mapping;
        o.value = mapping ? Json::object() : Json::array();
        if (lines_) {
            o.path = childPath();
            lines_->emplace(o.path, eventLine(e));
        }
        stack_.push_back(std::move(o));
    }

    void close() {
        Open o = std::move(stack_.back());
        stack_.pop_back();
        if (o.mapping) merge(o);
        if (!o.anchor.empty()) anchors_[o.anchor] = o.value;
        place(std::move(o.value), 0);
    }

  private:
    struct Open {
        Json value;
        std::string path, anchor;
        bool mapping = false;
        size_t next = 0;        // a sequence's next index
        bool haveKey = false;   // a mapping has read a key and waits for its value
        bool mergeKey = false;  // that key is the plain `<<`
        std::string key;
        int keyLine = 0;
        std::vector<Json> merges;  // the values of its `<<` keys, in order
    };

    bool expectingKey() const {
        return !stack_.empty() && stack_.back().mapping && !stack_.back().haveKey;
    }

    // When the scalar read is a mapping's key, takes it as the key.
    bool takesKey(const std::string& key, int line, bool plain) {
        if (!expectingKey()) return false;
        Open& top = stack_.back();
        top.key = key;
        top.haveKey = true;
        top.keyLine = line;
        top.mergeKey = plain && key == "<<";
        return true;
    }

    std::string childPath() const {
        if (stack_.empty()) return "";
        const Open& top = stack_.back();
        if (top.mapping) return top.path.empty() ? top.key : top.path + "." + top.key;
        return top.path + "[" + std::to_string(top.next) + "]";
    }

    void place(Json v, int line) {
        const std::string path = lines_ ? childPath() : std::string();
        if (lines_ && line > 0) lines_->emplace(path, line);
        if (stack_.empty()) {
            root_ = std::move(v);
            done_ = true;
            return;
        }
        Open& top = stack_.back();
        if (!top.mapping) {
            top.value.push_back(std::move(v));
            ++top.next;
            return;
        }
        top.haveKey = false;
        if (top.mergeKey) return top.merges.push_back(std::move(v));
        top.value[top.key] = std::move(v);
        if (lines_) (*lines_)[path] = top.keyLine;
    }

    // YAML's merge keys: the mapping's own keys win, then earlier merged mappings over later.
    static void merge(Open& o) {
        auto mergeOne = [&](const Json& from) {
            if (!from.is_object())
                throw YamlError(o.keyLine, "a << merge key takes a mapping or a list of mappings");
            for (const auto& [k, v] : from.items())
                if (!o.value.contains(k)) o.value[k] = v;
        };
        for (const Json& m : o.merges) {
            if (!m.is_array()) {
                mergeOne(m);
                continue;
            }
            for (const Json& each : m) mergeOne(each);
        }
    }

    LineMap* lines_;
    std::vector<Open> stack_;
    std::unordered_map<std::string, Json> anchors_;
    size_t aliasSpent_ = 0;
    Json root_;
    bool done_ = false;
};

}  // namespace

std::string jsonToYaml(const Json& doc) {
    YAML::Emitter e;
    emit(e, doc);
    return std::string(e.c_str()) + "\n";
}

Json yamlToJson(const YAML::Node& node, LineMap& lines) { return convert(node, "", lines, 0); }

namespace {
Json readYaml(std::string_view yaml, LineMap* lines);
}  // namespace

Json parseYaml(std::string_view yaml, LineMap& lines) { return readYaml(yaml, &lines); }

Json parseYaml(std::string_view yaml) { return readYaml(yaml, nullptr); }

namespace {
Json readYaml(std::string_view yaml, LineMap* lines) {
    EventParser parser(yaml);
    JsonBuilder builder(lines);
    for (;;) {
        Event ev;
        parser.next(ev.e);
        switch (ev.e.type) {
            case YAML_SCALAR_EVENT:
                builder.scalar(ev.e);
                break;
            case YAML_ALIAS_EVENT:
                builder.alias(ev.e);
                break;
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT:
                builder.open(ev.e, ev.e.type == YAML_MAPPING_START_EVENT);
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT:
                builder.close();
                break;
            case YAML_DOCUMENT_END_EVENT:  // the first document is the config; as yaml-cpp's Load
            case YAML_STREAM_END_EVENT:
                return builder.done() ? builder.take() : Json(nullptr);
            default:  // stream and document starts
                break;
        }
    }
}
}  // namespace

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
