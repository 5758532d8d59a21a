#include "protocols/sse/sse_events.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "core/clock.h"
#include "core/json_fields.h"
#include "template/faker.h"

namespace mockd::protocols::sse {

namespace {

// Splits on '\n' only (mockd keeps a '\r' inside its data line).
template <class F>
void eachLine(std::string_view text, F&& f) {
    size_t start = 0;
    for (;;) {
        const size_t nl = text.find('\n', start);
        f(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos) return;
        start = nl + 1;
    }
}

std::string sequenceData(const Generator& g, int64_t value) {
    if (g.format.empty()) return std::to_string(value);
    std::string out;
    const std::string v = std::to_string(value);
    for (size_t i = 0; i < g.format.size(); ++i) {
        if (g.format.compare(i, 2, "%d") == 0) {
            out += v;
            ++i;
        } else {
            out += g.format[i];
        }
    }
    return out;
}

// A random generator's leaf: $uuid, $timestamp, $random(min,max), $pick(a,b,...).
Json randomLeaf(const std::string& s, tmpl::Rng& rng) {
    if (s == "$uuid") {
        std::string out;
        tmpl::fake("uuid", {}, rng, out);
        return out;
    }
    if (s == "$timestamp") return core::nowMicros() / 1000000;
    auto args = [&](std::string_view prefix) -> std::optional<std::vector<std::string>> {
        if (!s.starts_with(prefix) || !s.ends_with(")")) return std::nullopt;
        std::vector<std::string> out;
        std::string_view inner(s);
        inner = inner.substr(prefix.size(), inner.size() - prefix.size() - 1);
        size_t start = 0;
        for (;;) {
            const size_t comma = inner.find(',', start);
            std::string_view part = inner.substr(
                start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
            while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
            while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
            out.emplace_back(part);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        return out;
    };
    if (auto a = args("$random(")) {
        int64_t lo = 0, hi = 100;
        if (a->size() == 2) {
            int64_t x = 0, y = 0;
            const auto& p = *a;
            if (std::from_chars(p[0].data(), p[0].data() + p[0].size(), x).ec == std::errc() &&
                std::from_chars(p[1].data(), p[1].data() + p[1].size(), y).ec == std::errc() &&
                x <= y) {
                lo = x;
                hi = y;
            }
        }
        return rng.between(lo, hi);
    }
    if (auto a = args("$pick(")) {
        if (a->empty()) return "";
        return (*a)[static_cast<size_t>(rng.between(0, static_cast<int64_t>(a->size()) - 1))];
    }
    return s;
}

Json randomData(const Json& schema, tmpl::Rng& rng) {
    if (schema.is_string()) return randomLeaf(schema.get<std::string>(), rng);
    if (schema.is_object() || schema.is_array()) {
        Json out = schema;
        for (auto it = out.begin(); it != out.end(); ++it) *it = randomData(*it, rng);
        return out;
    }
    return schema;
}

std::vector<Event> generated(const Generator& g, tmpl::Rng& rng) {
    const int64_t count = g.count > 0 ? g.count : 100;
    std::vector<Event> out;
    if (g.type == "template") {
        const int64_t rounds = g.repeat > 0 ? g.repeat : 1;
        const int64_t limit = g.count > 0 ? g.count : kMaxGeneratedEvents;
        for (int64_t r = 0; r < rounds && static_cast<int64_t>(out.size()) < limit; ++r)
            for (const Event& e : g.templateEvents) {
                if (static_cast<int64_t>(out.size()) >= limit) break;
                out.push_back(e);
            }
    } else {
        for (int64_t i = 0; i < count; ++i) {
            Event e;
            const int64_t value = g.start + i * g.increment;
            if (g.type != "sequence")
                e.data = randomData(g.randomSchema, rng);
            else if (g.format.empty())
                e.data = value;  // the number itself
            else
                e.data = sequenceData(g, value);
            out.push_back(std::move(e));
        }
    }
    // Generated events get generated ids: the sequence's value, else their place.
    for (size_t i = 0; i < out.size(); ++i)
        out[i].id = g.type == "sequence"
                        ? std::to_string(g.start + static_cast<int64_t>(i) * g.increment)
                        : std::to_string(i + 1);
    return out;
}

std::string chatCompletionId(tmpl::Rng& rng) {
    static constexpr char kAlnum[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id = "chatcmpl-";
    for (int i = 0; i < 24; ++i)
        id += kAlnum[static_cast<size_t>(rng.between(0, sizeof kAlnum - 2))];
    return id;
}

std::vector<Event> openAiChat(const Json& p, tmpl::Rng& rng) {
    std::vector<std::string> tokens = {"Hello", "!", " How", " can", " I", " help", " you", "?"};
    if (auto t = p.find("tokens"); t != p.end() && t->is_array()) {
        tokens.clear();
        for (const auto& v : *t) tokens.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
    const std::string model = core::valueOr<std::string>(p, "model", "gpt-4-mock");
    const std::string finish = core::valueOr<std::string>(p, "finishReason", "stop");
    const bool done = core::valueOr<bool>(p, "includeDone", true);
    const auto perToken = core::valueOr<int64_t>(p, "delayPerToken", 50);
    const std::string id = chatCompletionId(rng);
    const int64_t created = core::nowMicros() / 1000000;
    std::vector<Event> out;
    for (size_t i = 0; i < tokens.size(); ++i) {
        Json choice = {{"delta", {{"content", tokens[i]}}},
                       {"finish_reason", i + 1 == tokens.size() ? Json(finish) : Json(nullptr)},
                       {"index", 0}};
        Event e;
        e.data = {{"choices", Json::array({choice})},
                  {"created", created},
                  {"id", id},
                  {"model", model},
                  {"object", "chat.completion.chunk"}};
        e.delayMs = perToken;
        out.push_back(std::move(e));
    }
    if (done) {
        Event e;
        e.data = "[DONE]";
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<Event> notificationStream(const Json& p) {
    std::vector<Event> out;
    const auto interval = core::valueOr<int64_t>(p, "interval", 1000);
    if (auto m = p.find("messages"); m != p.end() && m->is_array())
        for (const auto& msg : *m) {
            Event e;
            e.type = core::valueOr<std::string>(msg, "type", "notification");
            auto payload = msg.is_object() ? msg.find("payload") : msg.end();
            e.data = payload != msg.end() && !payload->is_null() ? *payload : Json::object();
            e.delayMs = interval;
            out.push_back(std::move(e));
        }
    return out;
}

}  // namespace

std::string dataText(const Json& data) {
    if (data.is_string()) return data.get<std::string>();
    return data.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string wireEvent(const Event& e, std::string_view data) {
    std::string out;
    if (!e.comment.empty())
        eachLine(e.comment, [&](std::string_view line) {
            out += ':';
            out += line;
            out += '\n';
        });
    if (!e.type.empty()) out += "event:" + e.type + "\n";
    if (!e.id.empty()) out += "id:" + e.id + "\n";
    if (e.retryMs > 0) out += "retry:" + std::to_string(e.retryMs) + "\n";
    eachLine(data, [&](std::string_view line) {
        out += "data:";
        out += line;
        out += '\n';
    });
    out += '\n';
    return out;
}

std::vector<Event> streamEvents(const SseConfig& c, tmpl::Rng& rng) {
    if (c.templateName == "openai-chat") return openAiChat(c.templateParams, rng);
    if (c.templateName == "notification-stream") return notificationStream(c.templateParams);
    if (c.generator) return generated(*c.generator, rng);
    return c.events;
}

int64_t DelayPlan::next(const Event& e, size_t index, tmpl::Rng& rng) {
    if (e.delayMs) return *e.delayMs;
    const Timing& t = timing_;
    if (index < t.perEventDelaysMs.size()) return t.perEventDelaysMs[index];
    if (t.burst) {
        // count 3: interval, interval, pause, interval, interval, pause, ...
        if (++burstCounter_ < t.burst->count) return t.burst->intervalMs;
        burstCounter_ = 0;
        return t.burst->pauseMs;
    }
    if (t.randomDelayMs) return rng.between(t.randomDelayMs->first, t.randomDelayMs->second);
    if (t.fixedDelayMs) return *t.fixedDelayMs;
    return 0;
}

TokenBucket::TokenBucket(double rate, int64_t burst, Clock::time_point now)
    : rate_(rate),
      capacity_(burst > 0 ? static_cast<double>(burst) : std::max(rate, 1.0)),
      tokens_(capacity_),
      last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
    const double secs = std::chrono::duration<double>(now - last_).count();
    if (secs > 0) tokens_ = std::min(capacity_, tokens_ + secs * rate_);
    last_ = now;
}

bool TokenBucket::take(Clock::time_point now) {
    refill(now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

TokenBucket::Clock::duration TokenBucket::wait(Clock::time_point now) {
    refill(now);
    if (tokens_ >= 1) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>((1 - tokens_) / rate_));
}

}  // namespace mockd::protocols::sse
