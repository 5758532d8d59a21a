// Java-flavoured regular expressions on RE2, with PCRE2 (under match and depth limits) for the
// constructs RE2 refuses.
#include "match/regex.h"

#include <re2/re2.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdint>
#include <vector>

namespace mockd::match {
namespace {

// A backtracking pattern gets this many steps per match attempt; reaching it counts as no match.
constexpr uint32_t kMatchLimit = 1'000'000;
constexpr uint32_t kDepthLimit = 250'000;
constexpr size_t kJitStackMax = 4 * 1024 * 1024;
constexpr uint32_t kSharedOvectorPairs = 32;

bool isValidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80           ? 1
                   : (c >> 5) == 0x6  ? 2
                   : (c >> 4) == 0xE  ? 3
                   : (c >> 3) == 0x1E ? 4
                                      : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += n;
    }
    return true;
}

// Java's ASCII POSIX classes (\p{Alpha}, \P{Digit}, …) as the bracket expressions both engines
// know. Returns the POSIX name, or nullptr when `name` is not one of them.
const char* posixName(std::string_view name) {
    static constexpr std::pair<std::string_view, const char*> kNames[] = {
        {"Lower", "lower"}, {"Upper", "upper"}, {"ASCII", "ascii"}, {"Alpha", "alpha"},
        {"Digit", "digit"}, {"Alnum", "alnum"}, {"Punct", "punct"}, {"Graph", "graph"},
        {"Print", "print"}, {"Blank", "blank"}, {"Cntrl", "cntrl"}, {"XDigit", "xdigit"},
        {"Space", "space"}};
    for (const auto& [java, posix] : kNames) {
        if (name == java) return posix;
    }
    return nullptr;
}

// Rewrites the Java-only spellings of character properties into ones RE2 and PCRE2 share, and
// reports constructs RE2 would read differently from Java (so PCRE2 should run them).
std::string translateJava(std::string_view p, bool* preferPcre) {
    std::string out;
    out.reserve(p.size() + 8);
    bool inClass = false;
    bool quoted = false;  // inside \Q…\E
    for (size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        if (quoted) {
            if (c == '\\' && i + 1 < p.size() && p[i + 1] == 'E') quoted = false;
            out += c;
            continue;
        }
        if (c == '\\' && i + 1 < p.size()) {
            char n = p[i + 1];
            if (n == 'Q') {
                quoted = true;
            } else if (n == 'v') {
                *preferPcre = true;  // Java: any vertical whitespace; RE2: only \x0B
            } else if ((n == 'p' || n == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
                size_t close = p.find('}', i + 3);
                if (close != std::string_view::npos) {
                    std::string_view name = p.substr(i + 3, close - i - 3);
                    bool negated = n == 'P';
                    std::string_view bare = name.substr(0, 2) == "Is" ? name.substr(2) : name;
                    if (const char* posix = posixName(name)) {
                        std::string cls = std::string("[:") + (negated ? "^" : "") + posix + ":]";
                        out += inClass ? cls : "[" + cls + "]";
                        i = close;
                        continue;
                    }
                    std::string mapped;
                    if (name == "javaLowerCase")
                        mapped = "Ll";
                    else if (name == "javaUpperCase")
                        mapped = "Lu";
                    else if (name == "javaLetter" || name == "IsAlphabetic" || name == "IsLetter")
                        mapped = "L";
                    else if (name == "javaDigit" || name == "IsDigit")
                        mapped = "Nd";
                    else if (name.substr(0, 2) == "Is" && !bare.empty())
                        mapped = std::string(bare);
                    if (!mapped.empty()) {
                        out += std::string("\\") + n + "{" + mapped + "}";
                        i = close;
                        continue;
                    }
                }
            }
            out += c;
            out += n;
            ++i;
            continue;
        }
        if (inClass) {
            if (c == ']') inClass = false;
            out += c;
            continue;
        }
        if (c == '[') {
            inClass = true;
            out += c;
            // A ']' (or '^]') right after the opening bracket is a literal.
            if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
            if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
            continue;
        }
        out += c;
    }
    return out;
}

pcre2_match_context* sharedMatchContext() {
    static pcre2_match_context* ctx = [] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        pcre2_set_match_limit(c, kMatchLimit);
        pcre2_set_depth_limit(c, kDepthLimit);
        pcre2_jit_stack_assign(
            c,
            [](void*) -> pcre2_jit_stack* {
                struct Holder {
                    pcre2_jit_stack* stack =
                        pcre2_jit_stack_create(32 * 1024, kJitStackMax, nullptr);
                    ~Holder() { pcre2_jit_stack_free(stack); }
                };
                thread_local Holder holder;
                return holder.stack;
            },
            nullptr);
        return c;
    }();
    return ctx;
}

struct MatchDataDeleter {
    void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};
using MatchDataPtr = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

}  // namespace

struct Regex::Re2Impl {
    explicit Re2Impl(const std::string& pattern, const RE2::Options& options)
        : re(pattern, options) {}
    RE2 re;
};

struct Regex::PcreImpl {
    pcre2_code* find = nullptr;
    pcre2_code* full = nullptr;
    uint32_t captures = 0;
    ~PcreImpl() {
        pcre2_code_free(find);
        pcre2_code_free(full);
    }

    // Runs one match; returns the pcre2_match result (>0 on a match) and leaves the offsets in
    // `md`. Limits, bad UTF-8 in the subject and other errors all come back as no match.
    int run(const pcre2_code* code, std::string_view text, pcre2_match_data* md) const {
        int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md,
                             sharedMatchContext());
        return rc;
    }

    // Match data big enough for every group: a per-thread one when it fits, else a fresh one.
    pcre2_match_data* matchData(MatchDataPtr& owned) const {
        if (captures + 1 <= kSharedOvectorPairs) {
            thread_local MatchDataPtr shared{pcre2_match_data_create(kSharedOvectorPairs, nullptr)};
            return shared.get();
        }
        owned.reset(pcre2_match_data_create(captures + 1, nullptr));
        return owned.get();
    }
};

Regex::~Regex() = default;

std::shared_ptr<const Regex> Regex::compile(std::string_view pattern, std::string* error) {
    std::shared_ptr<Regex> rx(new Regex());
    rx->pattern_ = std::string(pattern);
    bool utf8 = isValidUtf8(pattern);
    bool preferPcre = false;
    std::string translated = translateJava(pattern, &preferPcre);

    if (!preferPcre) {
        RE2::Options options;
        options.set_log_errors(false);
        options.set_encoding(utf8 ? RE2::Options::EncodingUTF8 : RE2::Options::EncodingLatin1);
        auto impl = std::make_unique<Re2Impl>(translated, options);
        if (impl->re.ok()) {
            rx->re2_ = std::move(impl);
            return rx;
        }
    }

    uint32_t flags = utf8 ? PCRE2_UTF : 0;
    int code = 0;
    PCRE2_SIZE offset = 0;
    auto impl = std::make_unique<PcreImpl>();
    impl->find = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                               flags, &code, &offset, nullptr);
    if (impl->find == nullptr) {
        if (error != nullptr) {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(code, buf, sizeof buf);
            // The offset refers to the translated text; it only differs after a \p{…} rewrite.
            *error = std::string(reinterpret_cast<const char*>(buf)) + " at offset " +
                     std::to_string(std::min<size_t>(offset, pattern.size()));
        }
        return nullptr;
    }
    impl->full = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                               flags | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code, &offset, nullptr);
    if (impl->full == nullptr) {
        if (error != nullptr) *error = "pattern cannot be anchored";
        return nullptr;
    }
    pcre2_jit_compile(impl->find, PCRE2_JIT_COMPLETE);  // best effort: the interpreter also works
    pcre2_jit_compile(impl->full, PCRE2_JIT_COMPLETE);
    pcre2_pattern_info(impl->find, PCRE2_INFO_CAPTURECOUNT, &impl->captures);
    rx->pcre_ = std::move(impl);
    return rx;
}

bool Regex::fullMatch(std::string_view text) const {
    if (re2_) return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), re2_->re);
    MatchDataPtr owned;
    return pcre_->run(pcre_->full, text, pcre_->matchData(owned)) >= 0;
}

bool Regex::partialMatch(std::string_view text) const {
    if (re2_) return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re2_->re);
    MatchDataPtr owned;
    return pcre_->run(pcre_->find, text, pcre_->matchData(owned)) >= 0;
}

bool Regex::extract(std::string_view text, int group, std::string* out) const {
    if (group < 0) return false;
    if (re2_) {
        if (group > re2_->re.NumberOfCapturingGroups()) return false;
        std::vector<re2::StringPiece> groups(static_cast<size_t>(group) + 1);
        if (!re2_->re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                            RE2::UNANCHORED, groups.data(), group + 1)) {
            return false;
        }
        const re2::StringPiece& g = groups[static_cast<size_t>(group)];
        if (out != nullptr) out->assign(g.data() == nullptr ? "" : std::string(g.data(), g.size()));
        return true;
    }
    if (static_cast<uint32_t>(group) > pcre_->captures) return false;
    MatchDataPtr owned;
    pcre2_match_data* md = pcre_->matchData(owned);
    if (pcre_->run(pcre_->find, text, md) < 0) return false;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    PCRE2_SIZE start = ov[2 * group];
    PCRE2_SIZE end = ov[2 * group + 1];
    if (out != nullptr) {
        if (start == PCRE2_UNSET || end < start)
            out->clear();
        else
            out->assign(text.substr(start, end - start));
    }
    return true;
}

}  // namespace mockd::match
