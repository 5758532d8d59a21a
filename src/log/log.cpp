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

void appendJsonEscaped(std::string& out, std::string_view s) {
    // Runs of characters that need no escape are appended whole.
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
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
            default: {
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
