// Lazy per-request parsing for matchers.
#include "core/match_input.h"

#include "core/encoding.h"

namespace mockd::core {

bool jsonDepthWithin(std::string_view text, int maxDepth) {
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '[' || c == '{') {
            if (++depth > maxDepth) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

void parseQuery(std::string_view raw, std::vector<std::pair<std::string, std::string>>& out,
                EmptyParams empty) {
    auto add = [&out](std::string_view part) {
        size_t eq = part.find('=');
        std::string_view k = part.substr(0, eq);
        std::string_view v =
            eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
        out.emplace_back(percentDecode(k, true), percentDecode(v, true));
    };
    if (empty == EmptyParams::JavaSplit) {
        // A string without the separator is one piece, even an empty one; otherwise the
        // trailing empty pieces go and the rest stay, empty ones as ("", "").
        if (raw.empty()) return add({});
        while (raw.ends_with('&')) raw.remove_suffix(1);
    }
    while (!raw.empty()) {
        size_t amp = raw.find('&');
        std::string_view part = raw.substr(0, amp);
        raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
        if (!part.empty() || empty == EmptyParams::JavaSplit) add(part);
    }
}

const std::vector<std::pair<std::string, std::string>>& MatchInput::queryParams() const {
    if (!queryParsed_) {
        parseQuery(req_.rawQuery, query_);
        queryParsed_ = true;
    }
    return query_;
}

std::optional<std::string_view> MatchInput::query(std::string_view key) const {
    for (const auto& [k, v] : queryParams())
        if (k == key) return std::string_view(v);
    return std::nullopt;
}

const core::Json* MatchInput::json() const {
    if (jsonState_ == 0) {
        jsonState_ = 2;
        if (!req_.body.empty() && jsonDepthWithin(req_.body, kMaxJsonDepth)) {
            json_ = core::Json::parse(req_.body, nullptr, false);
            if (!json_.is_discarded()) jsonState_ = 1;
        }
    }
    return jsonState_ == 1 ? &json_ : nullptr;
}

}  // namespace mockd::core
