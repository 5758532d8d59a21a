// Matching one mock against a request, with mockd's scores and near-miss details.
#include "match/compiled_mock.h"

#include "core/client_cert.h"
#include "core/encoding.h"
#include "core/errors.h"
#include "core/mock_codec.h"
#include "log/log.h"

namespace mockd::match {

using core::Json;
using OJson = nlohmann::ordered_json;

namespace {
constexpr int kMethodScore = 10;
constexpr int kRegexScore = 14;
constexpr int kHeaderScore = 10;
constexpr int kQueryScore = 5;
constexpr int kBodyEqualsScore = 25;
constexpr int kBodyPatternScore = 22;
constexpr int kBodyContainsScore = 20;
constexpr int kJsonPathScore = 15;
// matcher.mtls, per condition
constexpr int kMtlsAuthScore = 5;
constexpr int kMtlsCnScore = 15;
constexpr int kMtlsCnPatternScore = 12;
constexpr int kMtlsFingerprintScore = 50;
constexpr int kMtlsFieldScore = 10;  // ou, o, issuer and each SAN kind

// `*` in a pattern stands for any run of characters (SAN DNS names such as "*.example.com").
bool wildcardMatch(std::string_view pattern, std::string_view text) {
    size_t star = pattern.find('*');
    if (star == std::string_view::npos) return pattern == text;
    std::string_view first = pattern.substr(0, star);
    if (!text.starts_with(first)) return false;
    size_t pos = first.size();
    std::string_view rest = pattern.substr(star + 1);
    for (size_t next; (next = rest.find('*')) != std::string_view::npos;
         rest.remove_prefix(next + 1)) {
        size_t at = text.find(rest.substr(0, next), pos);
        if (at == std::string_view::npos) return false;
        pos = at + next;
    }
    return text.size() >= pos + rest.size() && text.ends_with(rest);
}

bool anyEquals(const std::vector<std::string>& values, const std::string& want) {
    return std::find(values.begin(), values.end(), want) != values.end();
}

std::shared_ptr<const RE2> compileRegex(const std::string& pattern, const std::string& field) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const RE2>(pattern, opts);
    if (!re->ok()) throw core::FieldError(field, "invalid regular expression: " + re->error());
    return re;
}

std::string truncate200(std::string_view s) {
    if (s.size() <= 200) return std::string(s);
    return std::string(s.substr(0, 200)) + "...";
}
}  // namespace

std::string goQuote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
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
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\x%02x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
    return out;
}

bool JsonPathCondition::test(const Json& doc) const {
    thread_local std::vector<const Json*> results;
    results.clear();
    path.evaluate(doc, results);
    if (exists >= 0) return (results.empty() ? 0 : 1) == exists;
    for (const Json* r : results)
        if (*r == expected) return true;
    return false;
}

std::shared_ptr<const CompiledMock> CompiledMock::compile(core::MockPtr mockPtr,
                                                          std::shared_ptr<MockStats> stats,
                                                          std::shared_ptr<MockProgress> progress) {
    auto c = std::make_shared<CompiledMock>();
    c->stats_ = stats ? std::move(stats) : std::make_shared<MockStats>();
    c->progress_ = progress ? std::move(progress) : std::make_shared<MockProgress>();
    const core::Mock& m = *mockPtr;
    c->mock_ = std::move(mockPtr);
    if (m.format) {
        compileFormat(*c);
        return c;
    }
    const auto& mt = m.matcher;
    const std::string base = "http.matcher";
    c->path_ = PathPattern::compile(mt.path);
    if (c->path_.kind() == PathPattern::Kind::Exact && mt.pathPattern.empty())
        c->literalPath_ = mt.path;
    if (!mt.pathPattern.empty())
        c->pathRegex_ = compileRegex(mt.pathPattern, base + ".pathPattern");
    c->never_ = !mt.path.empty() && !mt.pathPattern.empty();
    for (const auto& [name, value] : mt.headers) {
        HeaderCondition h;
        h.name = name;
        h.expected = value;
        if (value.size() >= 1 && value.front() == '*' && value.back() == '*') {
            h.kind = HeaderCondition::Kind::Contains;
            h.needle = value.size() >= 2 ? value.substr(1, value.size() - 2) : "";
        } else if (!value.empty() && value.back() == '*') {
            h.kind = HeaderCondition::Kind::Prefix;
            h.needle = value.substr(0, value.size() - 1);
        } else if (!value.empty() && value.front() == '*') {
            h.kind = HeaderCondition::Kind::Suffix;
            h.needle = value.substr(1);
        } else {
            h.needle = value;
        }
        switch (h.kind) {
            case HeaderCondition::Kind::Exact:
                h.value = equalTo(h.needle);
                break;
            case HeaderCondition::Kind::Prefix:
                h.value = startingWith(h.needle);
                break;
            case HeaderCondition::Kind::Suffix:
                h.value = endingWith(h.needle);
                break;
            case HeaderCondition::Kind::Contains:
                h.value = containing(h.needle);
                break;
        }
        c->headers_.push_back(std::move(h));
    }
    c->query_ = mt.queryParams;
    for (const auto& [key, value] : mt.queryParams) c->queryValues_.push_back(equalTo(value));
    if (mt.bodyEquals) c->bodyEquals_ = equalTo(*mt.bodyEquals);
    if (mt.bodyContains) c->bodyContains_ = containing(*mt.bodyContains);
    if (mt.bodyPattern) c->bodyRegex_ = compileRegex(*mt.bodyPattern, base + ".bodyPattern");
    for (const auto& [text, expected] : mt.bodyJsonPath) {
        std::string err;
        auto jp = JsonPath::compile(text, &err);
        if (!jp) throw core::FieldError(base + ".bodyJsonPath." + text, "invalid JSONPath: " + err);
        JsonPathCondition cond{text, std::move(*jp), expected, -1};
        if (expected.is_object() && expected.size() == 1 && expected.contains("exists")) {
            const Json& e = expected["exists"];
            cond.exists = e.is_boolean() && e.get<bool>() ? 1 : 0;
        }
        c->jsonPaths_.push_back(std::move(cond));
    }

    if (mt.mtls) {
        const core::MtlsMatcher& t = *mt.mtls;
        if (!t.cnPattern.empty()) c->cnRegex_ = compileRegex(t.cnPattern, base + ".mtls.cnPattern");
        c->fingerprint_ = core::normalizeFingerprint(t.fingerprint);
        c->mtlsMax_ = (t.requireAuth ? kMtlsAuthScore : 0) + (t.cn.empty() ? 0 : kMtlsCnScore) +
                      (c->cnRegex_ ? kMtlsCnPatternScore : 0) +
                      (c->fingerprint_.empty() ? 0 : kMtlsFingerprintScore);
        for (const std::string* f : {&t.ou, &t.o, &t.issuer, &t.sanDns, &t.sanEmail, &t.sanIp})
            if (!f->empty()) c->mtlsMax_ += kMtlsFieldScore;
    }

    int score = 0;
    if (!mt.method.empty()) score += kMethodScore;
    score += c->path_.score();
    if (c->pathRegex_) score += kRegexScore;
    score += kHeaderScore * static_cast<int>(c->headers_.size());
    score += kQueryScore * static_cast<int>(c->query_.size());
    if (mt.bodyEquals) score += kBodyEqualsScore;
    if (mt.bodyContains) score += kBodyContainsScore;
    if (mt.bodyPattern) score += kBodyPatternScore;
    score += kJsonPathScore * static_cast<int>(c->jsonPaths_.size());
    score += c->mtlsMax_;
    c->score_ = score;
    if (m.type == "http" && score == 0)
        throw core::FieldError(base,
                               "at least one matching criterion must be specified "
                               "(method, path, pathPattern, headers, queryParams or body)");
    if (c->never_ && m.type == "http")
        throw core::FieldError(base, "cannot specify both path and pathPattern");

    if (m.responses.empty()) {
        c->responses_.push_back(compileResponse(m.response));
    } else {
        for (const auto& r : m.responses) c->responses_.push_back(compileResponse(r));
    }
    return c;
}

CompiledResponse CompiledMock::compileResponse(const core::HttpResponse& r) {
    CompiledResponse c;
    c.response_ = &r;
    for (const auto& [name, value] : r.headers) {
        if (core::iequals(name, "Content-Type")) c.userContentType_ = true;
        // The server owns framing; a mock cannot override it.
        if (core::iequals(name, "Content-Length") || core::iequals(name, "Transfer-Encoding") ||
            core::iequals(name, "Connection") || core::iequals(name, "Date"))
            continue;
        if (value.find("{{") != std::string::npos) {
            auto t = tmpl::Template::compile(value);
            if (t.dynamic()) {
                c.headerTemplates_.emplace_back(name, std::move(t));
                continue;
            }
        }
        core::appendHeaderLine(c.headerLines_, name, value);
    }
    if (r.body.find("{{") != std::string::npos) {
        auto t = tmpl::Template::compile(r.body);
        if (t.dynamic()) c.bodyTemplate_ = std::move(t);
    }
    if (!c.userContentType_ && r.bodyFile.empty())
        c.contentType_ = std::string(core::sniffContentType(r.body));
    return c;
}

void CompiledMock::compileFormat(CompiledMock& c) {
    const core::Mock& m = *c.mock_;
    c.literalPath_ = m.format->matcher().literalPath();
    CompiledResponse r;
    r.response_ = &m.response;
    r.headerLines_ = m.format->responseHead(m);
    r.userContentType_ = true;  // the format decides its own headers
    c.responses_.push_back(std::move(r));
}

CompiledMock::Claim CompiledMock::claim() const {
    if (mock_->times) {
        const uint64_t limit = *mock_->times;
        // A compare-and-swap rather than fetch_add: the count never passes the limit, so the
        // admin API's "used" and "remaining" stay exact under a race.
        uint64_t used = progress_->timesUsed.load(std::memory_order_relaxed);
        do {
            if (used >= limit) return Claim::UsedUp;
        } while (
            !progress_->timesUsed.compare_exchange_weak(used, used + 1, std::memory_order_relaxed));
    }
    const core::FormatStub* format = mock_->format.get();
    if (format && !format->matcher().claim()) {
        // Not served after all: the match it took is given back.
        if (mock_->times) progress_->timesUsed.fetch_sub(1, std::memory_order_relaxed);
        return Claim::Stale;
    }
    return Claim::Taken;
}

const CompiledResponse& CompiledMock::nextResponse() const {
    if (responses_.size() == 1) return responses_.front();
    const uint64_t i = progress_->nextResponse.fetch_add(1, std::memory_order_relaxed);
    const uint64_t n = responses_.size();
    if (mock_->responsesMode == core::SequenceMode::Cycle) return responses_[i % n];
    return responses_[std::min<uint64_t>(i, n - 1)];
}

bool CompiledMock::matches(const MatchInput& in, std::string_view method) const {
    if (const core::FormatStub* format = mock_->format.get()) return format->matcher().matches(in);
    const auto& mt = mock_->matcher;
    if (never_) return false;
    if (!mt.method.empty() && !core::iequals(mt.method, method)) return false;
    const core::Request& req = in.request();
    if (!path_.match(req.path)) return false;
    if (pathRegex_ && !RE2::PartialMatch(req.path, *pathRegex_)) return false;
    for (const auto& h : headers_)
        if (!h.test(req.header(h.name))) return false;
    for (size_t i = 0; i < query_.size(); ++i)
        if (!queryHolds(i, in)) return false;
    if (bodyEquals_ && !bodyEquals_->test(req.body)) return false;
    if (bodyContains_ && !bodyContains_->test(req.body)) return false;
    if (bodyRegex_ && !RE2::PartialMatch(req.body, *bodyRegex_)) return false;
    if (!jsonPaths_.empty()) {
        const Json* doc = in.json();
        if (!doc) return false;
        for (const auto& jp : jsonPaths_)
            if (!jp.test(*doc)) return false;
    }
    if (mt.mtls && mtlsScore(req.clientCert) == 0) return false;
    return true;
}

int CompiledMock::mtlsScore(const core::ClientCert* cert) const {
    // An mtls block with no condition scores nothing and so never matches, as in mockd.
    if (!cert || !cert->present || mtlsMax_ == 0) return 0;
    const core::MtlsMatcher& t = *mock_->matcher.mtls;
    if (t.requireAuth && !cert->verified) return 0;
    if (!t.cn.empty() && cert->cn != t.cn) return 0;
    if (cnRegex_ && !RE2::PartialMatch(cert->cn, *cnRegex_)) return 0;
    if (!t.ou.empty() && !anyEquals(cert->organizationalUnits, t.ou)) return 0;
    if (!t.o.empty() && !anyEquals(cert->organizations, t.o)) return 0;
    if (!fingerprint_.empty() && cert->fingerprint != fingerprint_) return 0;
    if (!t.issuer.empty() && cert->issuerCn != t.issuer) return 0;
    if (!t.sanDns.empty() &&
        std::none_of(cert->sanDns.begin(), cert->sanDns.end(),
                     [&](const auto& d) { return wildcardMatch(t.sanDns, d); }))
        return 0;
    if (!t.sanEmail.empty() && !anyEquals(cert->sanEmail, t.sanEmail)) return 0;
    if (!t.sanIp.empty() && !anyEquals(cert->sanIp, t.sanIp)) return 0;
    return mtlsMax_;
}

Captures CompiledMock::captures(const MatchInput& in) const {
    Captures caps;
    const core::Request& req = in.request();
    path_.match(req.path, &caps);
    if (pathRegex_) {
        const int n = pathRegex_->NumberOfCapturingGroups();
        std::vector<std::string> vals(static_cast<size_t>(n));
        std::vector<RE2::Arg> args(static_cast<size_t>(n));
        std::vector<const RE2::Arg*> argp(static_cast<size_t>(n));
        for (size_t k = 0; k < static_cast<size_t>(n); ++k) {
            args[k] = &vals[k];
            argp[k] = &args[k];
        }
        if (RE2::PartialMatchN(req.path, *pathRegex_, argp.data(), n))
            for (const auto& [name, idx] : pathRegex_->NamedCapturingGroups())
                caps.emplace_back(name, vals[static_cast<size_t>(idx - 1)]);
    }
    return caps;
}

int CompiledMock::nearMissScore(const MatchInput& in) const {
    // Keep in step with analyse(): the same checks, the same points.
    const auto& mt = mock_->matcher;
    const core::Request& req = in.request();
    int score = 0;
    if (!mt.method.empty() && core::iequals(mt.method, req.method)) score += kMethodScore;
    if (!mt.path.empty() && path_.match(req.path)) score += path_.score();
    if (pathRegex_ && RE2::PartialMatch(req.path, *pathRegex_)) score += kRegexScore;
    for (const auto& h : headers_)
        if (h.test(req.header(h.name))) score += kHeaderScore;
    for (size_t i = 0; i < query_.size(); ++i)
        if (queryHolds(i, in)) score += kQueryScore;
    if (bodyEquals_ && bodyEquals_->test(req.body)) score += kBodyEqualsScore;
    if (bodyContains_ && bodyContains_->test(req.body)) score += kBodyContainsScore;
    if (bodyRegex_ && RE2::PartialMatch(req.body, *bodyRegex_)) score += kBodyPatternScore;
    if (!jsonPaths_.empty()) {
        const Json* doc = in.json();
        for (const auto& jp : jsonPaths_)
            if (doc && jp.test(*doc)) score += kJsonPathScore;
    }
    if (mt.mtls) score += mtlsScore(req.clientCert);
    return score;
}

int CompiledMock::methodOnlyScore() const {
    return mock_->matcher.method.empty() ? 0 : kMethodScore;
}

bool CompiledMock::hasBodyConditions() const {
    const auto& mt = mock_->matcher;
    return mt.bodyEquals || mt.bodyContains || bodyRegex_ || !jsonPaths_.empty();
}

bool CompiledMock::bodyConditionsAcceptEmpty() const {
    // An empty body is not JSON, so JSONPath conditions never hold for it; a regex may.
    const auto& mt = mock_->matcher;
    return (mt.bodyEquals && mt.bodyEquals->empty()) ||
           (mt.bodyContains && mt.bodyContains->empty()) || bodyRegex_;
}

namespace {
// Writes a near miss's fields array directly in mockd's key order (empty expected and actual
// values are left out) and its one-line reason.
class NearMissWriter {
  public:
    explicit NearMissWriter(NearMiss& nm) : nm_(nm) { nm_.fieldsJson = "["; }

    // `why` makes the mismatch message, only for the first field that fails.
    template <class Why>
    void add(std::string_view field, bool ok, int score, int max, std::string_view expected,
             std::string_view actual, Why&& why, std::string_view rawExpected = {},
             std::string_view details = {}) {
        std::string& fields = nm_.fieldsJson;
        if (fields.size() > 1) fields += ',';
        fields += "{\"field\":\"";
        fields += field;
        fields += ok ? "\",\"matched\":true" : "\",\"matched\":false";
        fields += ",\"score\":" + std::to_string(score) + ",\"maxScore\":" + std::to_string(max);
        if (!rawExpected.empty()) {
            fields += ",\"expected\":";
            fields += rawExpected;
        } else if (!expected.empty()) {
            member(fields, "expected", expected);
        }
        if (!actual.empty()) member(fields, "actual", actual);
        if (!details.empty()) {
            fields += ",\"details\":";
            fields += details;
        }
        fields += '}';
        nm_.score += score;
        if (ok)
            matched_.push_back(field);
        else if (firstMismatch_.empty())
            firstMismatch_ = why();
    }

    // One entry of a headers/queryParams "details" array.
    static void detail(std::string& out, std::string_view key, std::string_view expected,
                       std::string_view actual, bool ok) {
        out += out.size() > 1 ? ",{\"key\":\"" : "{\"key\":\"";
        log::appendJsonEscaped(out, key);
        out += '"';
        member(out, "expected", expected);
        member(out, "actual", actual);
        out += ok ? ",\"matched\":true}" : ",\"matched\":false}";
    }

    void finish() {
        if (firstMismatch_.empty()) {
            nm_.reason = "all specified fields matched";
        } else if (matched_.empty()) {
            nm_.reason = firstMismatch_;
        } else {
            std::string list;
            for (size_t i = 0; i < matched_.size(); ++i) {
                if (i > 0)
                    list += matched_.size() == 2 ? " and "
                                                 : (i + 1 == matched_.size() ? ", and " : ", ");
                list += matched_[i];
            }
            nm_.reason = list + " matched, but " + firstMismatch_;
        }
        nm_.fieldsJson += ']';
    }

  private:
    static void member(std::string& out, std::string_view key, std::string_view value) {
        out += ",\"";
        out += key;
        out += "\":\"";
        log::appendJsonEscaped(out, value);
        out += '"';
    }

    NearMiss& nm_;
    std::vector<std::string_view> matched_;
    std::string firstMismatch_;
};
}  // namespace

NearMiss CompiledMock::analyse(const MatchInput& in) const {
    NearMiss nm;
    nm.mock = this;
    nm.maxScore = score_;
    NearMissWriter w(nm);
    const auto& mt = mock_->matcher;
    const core::Request& req = in.request();

    if (!mt.method.empty()) {
        bool ok = core::iequals(mt.method, req.method);
        w.add("method", ok, ok ? kMethodScore : 0, kMethodScore, mt.method, req.method, [&] {
            return "method expected " + goQuote(mt.method) + ", got " + goQuote(req.method);
        });
    }
    if (!mt.path.empty()) {
        bool ok = path_.match(req.path);
        int max = path_.score();
        w.add("path", ok, ok ? max : 0, max, mt.path, req.path,
              [&] { return "path expected " + goQuote(mt.path) + ", got " + goQuote(req.path); });
    }
    if (pathRegex_) {
        bool ok = RE2::PartialMatch(req.path, *pathRegex_);
        w.add("pathPattern", ok, ok ? kRegexScore : 0, kRegexScore, mt.pathPattern, req.path, [&] {
            return "path expected " + goQuote(mt.pathPattern) + ", got " + goQuote(req.path);
        });
    }
    if (!headers_.empty()) {
        std::string details = "[";
        int got = 0;
        std::string miss;
        for (const auto& h : headers_) {
            std::string_view actual = req.header(h.name);
            bool ok = h.test(actual);
            got += ok ? 1 : 0;
            w.detail(details, h.name, h.expected,
                     req.hasHeader(h.name) ? actual : std::string_view("(missing)"), ok);
            if (!ok && miss.empty())
                miss = "header " + h.name + " expected " + goQuote(h.expected) + ", got " +
                       goQuote(actual);
        }
        details += ']';
        int n = static_cast<int>(headers_.size());
        w.add(
            "headers", got == n, got * kHeaderScore, n * kHeaderScore, {}, {}, [&] { return miss; },
            {}, details);
    }
    if (!query_.empty()) {
        std::string details = "[";
        int got = 0;
        std::string miss;
        for (size_t i = 0; i < query_.size(); ++i) {
            const auto& [k, v] = query_[i];
            auto actual = in.query(k);
            bool ok = queryHolds(i, in);
            got += ok ? 1 : 0;
            w.detail(details, k, v, actual ? *actual : std::string_view("(missing)"), ok);
            if (!ok && miss.empty())
                miss = "query param " + k + " expected " + goQuote(v) + ", got " +
                       goQuote(actual ? *actual : std::string_view());
        }
        details += ']';
        int n = static_cast<int>(query_.size());
        w.add(
            "queryParams", got == n, got * kQueryScore, n * kQueryScore, {}, {},
            [&] { return miss; }, {}, details);
    }
    if (mt.bodyEquals) {
        bool ok = bodyEquals_->test(req.body);
        w.add("bodyEquals", ok, ok ? kBodyEqualsScore : 0, kBodyEqualsScore,
              truncate200(*mt.bodyEquals), truncate200(req.body),
              [&] { return "body expected exact match " + goQuote(truncate200(*mt.bodyEquals)); });
    }
    if (mt.bodyContains) {
        bool ok = bodyContains_->test(req.body);
        std::string expected = "contains " + goQuote(*mt.bodyContains);
        w.add("bodyContains", ok, ok ? kBodyContainsScore : 0, kBodyContainsScore, expected,
              ok ? "(body contains substring)" : "(body does not contain substring)",
              [&] { return "body expected to contain " + goQuote(expected); });
    }
    if (bodyRegex_) {
        bool ok = RE2::PartialMatch(req.body, *bodyRegex_);
        w.add("bodyPattern", ok, ok ? kBodyPatternScore : 0, kBodyPatternScore, *mt.bodyPattern,
              ok ? "(body matches pattern)" : "(body does not match pattern)",
              [&] { return "body expected to match pattern " + goQuote(*mt.bodyPattern); });
    }
    if (!jsonPaths_.empty()) {
        const Json* doc = in.json();
        int got = 0;
        OJson expected = OJson::object();
        for (const auto& jp : jsonPaths_) {
            if (doc && jp.test(*doc)) ++got;
            expected[jp.text] = OJson::parse(jp.expected.dump());
        }
        int n = static_cast<int>(jsonPaths_.size());
        w.add(
            "bodyJSONPath", got == n, got * kJsonPathScore, n * kJsonPathScore, {}, {},
            [] { return std::string("body JSONPath condition not satisfied"); }, expected.dump());
    }

    if (mt.mtls) {
        const core::ClientCert* cert = req.clientCert;
        if (!cert || !cert->present) {
            w.add("mtls", false, 0, mtlsMax_, "client certificate required",
                  "(no client certificate)",
                  [] { return std::string("mTLS (no client certificate)"); });
        } else {
            int got = mtlsScore(cert);
            w.add("mtls", got > 0, got, mtlsMax_, {}, {},
                  [] { return std::string("mTLS client certificate does not match"); });
        }
    }
    if (exhausted()) {
        // Every field may match: the near miss must then say why the mock did not answer.
        const std::string n = std::to_string(*mock_->times);
        w.add("times", false, 0, 0, "at most " + n + " match(es)", "all " + n + " used", [&] {
            return "its times: " + n + " limit is used up (matched " + n +
                   " time(s); reset verification or update the mock to re-arm it)";
        });
    }
    w.finish();
    return nm;
}

}  // namespace mockd::match
