// Path pattern matching as mockd does it (internal/matching/path.go semantics).
#include "match/path_pattern.h"

namespace mockd::match {

void splitSegments(std::string_view path, std::vector<std::string_view>& out) {
    out.clear();
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (path.empty()) {
        out.emplace_back();  // "/" splits to one empty segment, as strings.Split does
        return;
    }
    size_t start = 0;
    for (;;) {
        size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(path.substr(start));
            return;
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
}

PathPattern PathPattern::compile(std::string_view pattern) {
    PathPattern p;
    p.text_ = percentDecode(pattern);
    const std::string& t = p.text_;
    if (t.empty()) {
        p.kind_ = Kind::Any;
        return p;
    }
    if (t.find('{') != std::string::npos && t.find('}') != std::string::npos) {
        p.kind_ = Kind::Params;
        std::vector<std::string_view> segs;
        splitSegments(t, segs);
        for (auto s : segs) {
            Segment seg;
            if (s.size() >= 2 && s.front() == '{' && s.back() == '}' &&
                s.find('{', 1) == std::string_view::npos) {
                seg.type = Segment::Type::Param;
                seg.text = std::string(s.substr(1, s.size() - 2));
            } else if (s.find('{') != std::string_view::npos &&
                       s.find('}') != std::string_view::npos) {
                // A mixed segment: literal text around one or more {params}.
                seg.type = Segment::Type::Mixed;
                seg.text = std::string(s);
                std::string re = "^";
                size_t i = 0;
                while (i < s.size()) {
                    size_t open = s.find('{', i);
                    size_t close = open == std::string_view::npos ? open : s.find('}', open);
                    if (open == std::string_view::npos || close == std::string_view::npos) {
                        re += RE2::QuoteMeta(std::string(s.substr(i)));
                        break;
                    }
                    re += RE2::QuoteMeta(std::string(s.substr(i, open - i)));
                    re += "(.+)";
                    seg.names.emplace_back(s.substr(open + 1, close - open - 1));
                    i = close + 1;
                }
                re += "$";
                seg.regex = std::make_shared<const RE2>(re);
            } else {
                seg.type = Segment::Type::Literal;
                seg.text = std::string(s);
            }
            p.segments_.push_back(std::move(seg));
        }
        return p;
    }
    if (t.size() >= 2 && t.ends_with("/*")) {
        p.kind_ = Kind::Prefix;
        p.pieces_.push_back(t.substr(0, t.size() - 2));
        return p;
    }
    if (t.find('*') != std::string::npos) {
        p.kind_ = Kind::Wildcard;
        size_t start = 0;
        for (;;) {
            size_t star = t.find('*', start);
            if (star == std::string::npos) {
                p.pieces_.push_back(t.substr(start));
                break;
            }
            p.pieces_.push_back(t.substr(start, star - start));
            start = star + 1;
        }
        p.endsWithStar_ = t.back() == '*';
        return p;
    }
    p.kind_ = Kind::Exact;
    return p;
}

int PathPattern::score() const {
    switch (kind_) {
        case Kind::Exact:
            return 15;
        case Kind::Params:
            return 12;
        case Kind::Prefix:
        case Kind::Wildcard:
            return 10;
        default:
            return 0;
    }
}

std::string_view PathPattern::firstLiteralSegment() const {
    if (kind_ != Kind::Params || segments_.empty()) return {};
    const auto& s = segments_.front();
    return s.type == Segment::Type::Literal ? std::string_view(s.text) : std::string_view();
}

bool PathPattern::match(std::string_view path, Captures* captures) const {
    switch (kind_) {
        case Kind::Any:
            return true;
        case Kind::Exact:
            return path == text_;
        case Kind::Prefix: {
            const std::string& prefix = pieces_.front();
            bool ok = path == prefix || (path.size() > prefix.size() && path.starts_with(prefix) &&
                                         path[prefix.size()] == '/');
            if (ok && captures) {
                std::string_view rest = path.substr(prefix.size());
                if (!rest.empty()) rest.remove_prefix(1);
                captures->emplace_back("0", std::string(rest));
            }
            return ok;
        }
        case Kind::Wildcard: {
            if (!path.starts_with(pieces_.front())) return false;
            size_t pos = pieces_.front().size();
            for (size_t i = 1; i < pieces_.size(); ++i) {
                const std::string& piece = pieces_[i];
                size_t at = piece.empty() ? (i + 1 == pieces_.size() ? path.size() : pos)
                                          : path.find(piece, pos);
                if (at == std::string_view::npos) return false;
                if (captures)
                    captures->emplace_back(std::to_string(i - 1),
                                           std::string(path.substr(pos, at - pos)));
                pos = at + piece.size();
            }
            return true;
        }
        case Kind::Params: {
            thread_local std::vector<std::string_view> segs;
            splitSegments(path, segs);
            if (segs.size() != segments_.size()) return false;
            for (size_t i = 0; i < segs.size(); ++i) {
                const Segment& s = segments_[i];
                switch (s.type) {
                    case Segment::Type::Literal:
                        if (segs[i] != s.text) return false;
                        break;
                    case Segment::Type::Param:
                        if (captures) captures->emplace_back(s.text, std::string(segs[i]));
                        break;
                    case Segment::Type::Mixed: {
                        const int n = static_cast<int>(s.names.size());
                        std::vector<std::string> vals(static_cast<size_t>(n));
                        std::vector<RE2::Arg> args(static_cast<size_t>(n));
                        std::vector<const RE2::Arg*> argp(static_cast<size_t>(n));
                        for (int k = 0; k < n; ++k) {
                            args[static_cast<size_t>(k)] = &vals[static_cast<size_t>(k)];
                            argp[static_cast<size_t>(k)] = &args[static_cast<size_t>(k)];
                        }
                        if (!RE2::FullMatchN(segs[i], *s.regex, argp.data(), n)) return false;
                        if (captures)
                            for (int k = 0; k < n; ++k)
                                captures->emplace_back(s.names[static_cast<size_t>(k)],
                                                       vals[static_cast<size_t>(k)]);
                        break;
                    }
                }
            }
            return true;
        }
    }
    return false;
}

}  // namespace mockd::match
