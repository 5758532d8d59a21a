// A curl command line → one mock that answers the request it describes.
#include "core/encoding.h"
#include "portability/importers.h"

namespace mockd::portability {

namespace {

// Shell-like words: single and double quotes, $'...' quoting, backslash escapes, and a
// backslash-newline as a line continuation (multi-line commands are the usual way to paste).
std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    bool inWord = false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
            ++i;
            if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
            continue;
        }
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (inWord) out.push_back(std::move(cur));
            cur.clear();
            inWord = false;
            continue;
        }
        inWord = true;
        if (c == '\'' || (c == '$' && i + 1 < s.size() && s[i + 1] == '\'')) {
            if (c == '$') ++i;
            size_t end = s.find('\'', i + 1);
            if (end == std::string_view::npos) throw ImportError("curl command: unclosed quote");
            cur += s.substr(i + 1, end - i - 1);
            i = end;
        } else if (c == '"') {
            for (++i; i < s.size() && s[i] != '"'; ++i) {
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
                cur += s[i];
            }
            if (i >= s.size()) throw ImportError("curl command: unclosed quote");
        } else if (c == '\\' && i + 1 < s.size()) {
            cur += s[++i];
        } else {
            cur += c;
        }
    }
    if (inWord) out.push_back(std::move(cur));
    return out;
}

bool takesValue(const std::string& f) {
    static const char* kSkipped[] = {"-o",           "--output",    "-A",
                                     "--user-agent", "-e",          "--referer",
                                     "-b",           "--cookie",    "-c",
                                     "--cookie-jar", "-T",          "--upload-file",
                                     "-m",           "--max-time",  "--connect-timeout",
                                     "-w",           "--write-out", "-x",
                                     "--proxy",      "--cacert",    "--cert",
                                     "--key",        "-E",          "--retry",
                                     "-r",           "--range",     "--resolve",
                                     "-K",           "--config"};
    for (const char* k : kSkipped)
        if (f == k) return true;
    return false;
}

struct CurlRequest {
    std::string method, url, body, contentType, accept;
    bool get = false, head = false;
    Json headers = Json::object();
};

CurlRequest parse(const std::vector<std::string>& args, std::vector<std::string>& warnings) {
    CurlRequest r;
    for (size_t i = 1; i < args.size(); ++i) {
        std::string a = args[i];
        std::string inlineValue;
        bool hasInline = false;
        if (a.starts_with("--") && a.find('=') != std::string::npos) {
            inlineValue = a.substr(a.find('=') + 1);
            a = a.substr(0, a.find('='));
            hasInline = true;
        }
        auto value = [&]() -> std::string {
            if (hasInline) return inlineValue;
            if (i + 1 >= args.size()) throw ImportError("curl command: " + a + " needs a value");
            return args[++i];
        };
        if (a == "-X" || a == "--request") {
            r.method = upperCase(value());
        } else if (a == "-H" || a == "--header") {
            std::string h = value();
            size_t colon = h.find(':');
            if (colon == std::string::npos) continue;
            std::string name = h.substr(0, colon), v = h.substr(colon + 1);
            while (!v.empty() && v.front() == ' ') v.erase(0, 1);
            const std::string lower = lowerCase(name);
            if (lower == "content-type") r.contentType = v;
            if (lower == "accept") r.accept = v;
            if (lower != "content-type" && lower != "content-length" && lower != "accept" &&
                lower != "user-agent")
                r.headers[name] = v;
        } else if (a == "-d" || a == "--data" || a == "--data-raw" || a == "--data-binary" ||
                   a == "--data-ascii" || a == "--data-urlencode") {
            std::string d = value();
            r.body += (r.body.empty() ? "" : "&") + d;
            if (r.contentType.empty()) r.contentType = "application/x-www-form-urlencoded";
        } else if (a == "--json") {
            r.body += value();
            r.contentType = "application/json";
            if (r.accept.empty()) r.accept = "application/json";
        } else if (a == "-u" || a == "--user") {
            r.headers["Authorization"] = "Basic " + core::base64Encode(value());
        } else if (a == "-G" || a == "--get") {
            r.get = true;
        } else if (a == "-I" || a == "--head") {
            r.head = true;
        } else if (a == "--url") {
            r.url = value();
        } else if (takesValue(a)) {
            (void)value();
        } else if (a.starts_with("-")) {
            if (a != "-s" && a != "-S" && a != "-L" && a != "-k" && a != "-v" && a != "-i" &&
                a != "--compressed" && a != "--silent" && a != "--location" && a != "--insecure")
                warnings.push_back("curl option " + a + " is not used");
        } else if (r.url.empty()) {
            r.url = a;
        }
    }
    if (r.url.empty()) throw ImportError("curl command: no URL");
    return r;
}

}  // namespace

Json curlToCollection(std::string_view command, std::vector<std::string>& warnings) {
    const auto args = words(command);
    if (args.empty() || args[0] != "curl") throw ImportError("not a curl command");
    CurlRequest r = parse(args, warnings);
    std::string url = r.url;
    if (size_t scheme = url.find("://"); scheme != std::string::npos) {
        size_t slash = url.find('/', scheme + 3);
        size_t q = url.find('?', scheme + 3);
        size_t cut = std::min(slash, q);
        url = cut == std::string::npos ? "/"
                                       : (slash == cut ? url.substr(cut) : "/" + url.substr(cut));
    } else if (!url.starts_with("/")) {
        size_t slash = url.find('/');
        url = slash == std::string::npos ? "/" : url.substr(slash);
    }
    url = url.substr(0, url.find('#'));
    size_t q = url.find('?');
    std::string path = url.substr(0, q), query = q == std::string::npos ? "" : url.substr(q + 1);
    if (r.get && !r.body.empty()) {  // -G sends the data as the query
        query += (query.empty() ? "" : "&") + r.body;
        r.body.clear();
    }
    std::string method = r.method;
    if (method.empty()) method = r.head ? "HEAD" : (!r.body.empty() ? "POST" : "GET");
    Json matcher = {{"method", method}, {"path", path.empty() ? "/" : path}};
    if (Json qp = queryPairs(query); !qp.empty()) matcher["queryParams"] = std::move(qp);
    if (!r.headers.empty()) matcher["headers"] = r.headers;
    if (!r.body.empty()) matcher["bodyEquals"] = r.body;

    int status = 200;
    std::string body = defaultBody(200);
    if (method == "POST") status = 201, body = Json{{"status", "created"}}.dump(2);
    if (method == "DELETE") status = 204, body.clear();
    if (method == "PUT" || method == "PATCH") body = Json{{"status", "updated"}}.dump(2);
    if (method == "HEAD" || method == "OPTIONS") body.clear();
    Json response = {{"statusCode", status}};
    if (!body.empty()) {
        std::string type = r.contentType;
        if (type.empty() || type == "application/x-www-form-urlencoded")
            type = r.accept.empty() ? "application/json" : r.accept.substr(0, r.accept.find(','));
        if (type.find('*') != std::string::npos) type = "application/json";
        response["headers"] = {{"Content-Type", type}};
        response["body"] = body;
    }
    Json mock = httpMock(stableId("http_", "curl " + method + " " + path), method + " " + path);
    mock["http"]["matcher"] = std::move(matcher);
    mock["http"]["response"] = std::move(response);
    return collectionOf("Imported from curl", Json::array({std::move(mock)}));
}

}  // namespace mockd::portability
