// Background log writer: a bounded queue drained by one thread that owns stderr.
#include "log/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

#include "core/clock.h"

namespace mockd::log {
namespace {

constexpr size_t kMaxQueued = 4096;

struct State {
    std::atomic<int> level{static_cast<int>(Level::Info)};
    Format format = Format::Text;
    std::mutex mu;
    std::condition_variable cv;
    std::condition_variable drained;
    std::deque<std::string> queue;
    bool writing = false;
    std::atomic<uint64_t> dropped{0};
    std::once_flag started;
};

State& state() {
    static State* s = new State();  // never destroyed: workers may log during exit
    return *s;
}

void writeAll(const std::string& line) {
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return;  // stderr closed: nothing more we can do
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

void writerLoop() {
    State& s = state();
    std::unique_lock lock(s.mu);
    for (;;) {
        s.cv.wait(lock, [&] { return !s.queue.empty(); });
        std::deque<std::string> batch;
        batch.swap(s.queue);
        s.writing = true;
        lock.unlock();
        std::string joined;
        for (auto& l : batch) joined += l;
        writeAll(joined);
        lock.lock();
        s.writing = false;
        if (s.queue.empty()) s.drained.notify_all();
    }
}

const char* levelName(Level l) {
    switch (l) {
        case Level::Debug:
            return "debug";
        case Level::Info:
            return "info";
        case Level::Warn:
            return "warn";
        case Level::Error:
            return "error";
        default:
            return "off";
    }
}

void appendTime(std::string& out) { out += core::isoNow(3); }

}  // namespace

bool parseLevel(std::string_view name, Level& out) {
    if (name == "debug")
        out = Level::Debug;
    else if (name == "info")
        out = Level::Info;
    else if (name == "warn" || name == "warning")
        out = Level::Warn;
    else if (name == "error")
        out = Level::Error;
    else if (name == "off" || name == "none")
        out = Level::Off;
    else
        return false;
    return true;
}

void init(Level level, Format format) {
    State& s = state();
    s.level.store(static_cast<int>(level));
    s.format = format;
}

bool enabled(Level level) {
    return level != Level::Off &&
           static_cast<int>(level) >= state().level.load(std::memory_order_relaxed);
}

namespace {
// Length of the valid UTF-8 sequence at s[i] (a byte >= 0x80), or 0 when it is not one.
size_t utf8Length(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    const size_t left = s.size() - i;
    auto cont = [&](size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F))
            return 0;  // overlong, surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F))
            return 0;  // overlong, > U+10FFFF
        return 4;
    }
    return 0;
}
}  // namespace

void appendJsonEscaped(std::string& out, std::string_view s) {
    // Runs of characters that need no escape are appended whole. A byte that does not start
    // valid UTF-8 becomes U+FFFD, as Go's encoder writes it, so the output is always valid JSON.
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            if (const size_t n = utf8Length(s, i)) {
                i += n - 1;
                continue;
            }
        } else if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(s, run, i - run);
        run = i + 1;
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
                if (c >= 0x80) {
                    out += "\\ufffd";
                } else {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                }
        }
    }
    out.append(s, run, s.size() - run);
}

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    State& s = state();
    std::string line;
    line.reserve(128);
    if (s.format == Format::Json) {
        line += "{\"time\":\"";
        appendTime(line);
        line += "\",\"level\":\"";
        line += levelName(level);
        line += "\",\"msg\":\"";
        appendJsonEscaped(line, msg);
        line += '"';
        for (const auto& f : fields) {
            line += ",\"";
            appendJsonEscaped(line, f.key);
            line += "\":";
            if (f.quoted) line += '"';
            appendJsonEscaped(line, f.value);
            if (f.quoted) line += '"';
        }
        line += "}\n";
    } else {
        appendTime(line);
        line += ' ';
        std::string lv = levelName(level);
        for (auto& c : lv) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        line += lv;
        line += ' ';
        line += msg;
        for (const auto& f : fields) {
            line += ' ';
            line += f.key;
            line += '=';
            bool needQuote = f.value.empty() || f.value.find(' ') != std::string::npos;
            if (needQuote) line += '"';
            line += f.value;
            if (needQuote) line += '"';
        }
        line += '\n';
    }
    std::call_once(s.started, [] { std::thread(writerLoop).detach(); });
    {
        std::lock_guard lock(s.mu);
        if (s.queue.size() >= kMaxQueued) {
            s.dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        s.queue.push_back(std::move(line));
    }
    s.cv.notify_one();
}

uint64_t dropped() { return state().dropped.load(); }

void flush() {
    State& s = state();
    std::unique_lock lock(s.mu);
    s.drained.wait_for(lock, std::chrono::seconds(2),
                       [&] { return s.queue.empty() && !s.writing; });
}

}  // namespace mockd::log
