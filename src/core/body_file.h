// Body files: read per request (a file may change while the server runs), and compiled again
// only when their text did.
#pragma once

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>

namespace mockd::core {

// Reads the whole file; on failure `err` says why, in mockd's words.
inline bool readBodyFile(const std::string& path, std::string& out, std::string& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = "failed to read bodyFile: open " + path + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// The compiled form of a body file's text: each worker keeps the last compiled text of a few
// files. `Entry` has `text` and whatever `compile(text, entry)` fills in.
template <typename Entry, typename Compile>
const Entry& compiledFile(const std::string& path, const std::string& text, Compile compile) {
    thread_local std::unordered_map<std::string, Entry> cache;
    auto it = cache.find(path);
    if (it != cache.end() && it->second.text == text) return it->second;
    if (cache.size() >= 64) cache.clear();
    Entry& e = cache[path];
    e = Entry{};
    e.text = text;
    compile(text, e);
    return e;
}

}  // namespace mockd::core
