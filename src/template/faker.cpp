// Faker word lists and generators.
#include "template/faker.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <unordered_map>

namespace mockd::tmpl {

namespace {

const char* const kFirst[] = {"Ada",       "Alan",   "Grace",   "Linus",   "Margaret", "Dennis",
                              "Barbara",   "Ken",    "Frances", "Edsger",  "Radia",    "Tim",
                              "Katherine", "John",   "Hedy",    "Niklaus", "Sophie",   "James",
                              "Mary",      "Carlos", "Aiko",    "Priya",   "Omar",     "Lena",
                              "Mateo",     "Zara",   "Yusuf",   "Ingrid"};
const char* const kLast[] = {"Lovelace", "Turing",   "Hopper", "Torvalds", "Hamilton", "Ritchie",
                             "Liskov",   "Thompson", "Allen",  "Dijkstra", "Perlman",  "Berners",
                             "Johnson",  "Backus",   "Lamarr", "Wirth",    "Wilson",   "Gosling",
                             "Shaw",     "Garcia",   "Tanaka", "Patel",    "Haddad",   "Berg",
                             "Rossi",    "Khan",     "Okafor", "Larsen"};
const char* const kDomains[] = {"example.com", "example.org", "example.net", "mail.test",
                                "inbox.test"};
const char* const kCompanyA[] = {"Acme",  "Globex", "Initech", "Umbrella",  "Hooli",   "Vandelay",
                                 "Stark", "Wayne",  "Tyrell",  "Cyberdyne", "Soylent", "Wonka"};
const char* const kCompanyB[] = {"Inc",     "LLC",        "Group",    "Labs",
                                 "Systems", "Industries", "Partners", "Holdings"};
const char* const kStreets[] = {"Main St", "Oak Ave",   "Pine Rd", "Maple Dr", "Cedar Ln",
                                "Elm St",  "Lake View", "Hill Rd", "River Rd", "Park Ave"};
const char* const kCities[] = {"Springfield", "Riverton", "Lakewood", "Fairview", "Georgetown",
                               "Madison",     "Franklin", "Clinton",  "Ashland",  "Oakdale"};
const char* const kStates[] = {"CA", "NY", "TX", "WA", "OR", "IL", "MA", "CO", "FL", "GA"};
const char* const kCountries[] = {"United States", "Canada", "Germany",   "France", "Japan",
                                  "Brazil",        "India",  "Australia", "Norway", "Kenya"};
const char* const kWords[] = {"alpha",  "bright", "cloud",  "delta",  "ember",  "forest",
                              "glow",   "harbor", "island", "jade",   "kernel", "lumen",
                              "meadow", "nova",   "orbit",  "prism",  "quartz", "river",
                              "signal", "timber", "unity",  "vector", "willow", "zenith"};
const char* const kJobs[] = {"Software Engineer",  "Product Manager",
                             "Data Analyst",       "Designer",
                             "Support Specialist", "Account Executive",
                             "DevOps Engineer",    "QA Engineer",
                             "Technical Writer",   "CTO"};
const char* const kProducts[] = {"Ergonomic Chair",
                                 "Wireless Mouse",
                                 "Standing Desk",
                                 "Noise-Cancelling Headphones",
                                 "Mechanical Keyboard",
                                 "USB-C Hub",
                                 "Smart Lamp",
                                 "Water Bottle",
                                 "Backpack",
                                 "Coffee Grinder"};
const char* const kColors[] = {"red",  "green", "blue",  "orange", "purple",
                               "teal", "black", "white", "yellow", "magenta"};
const char* const kCurrencies[] = {"USD", "EUR", "GBP", "JPY", "CAD",
                                   "AUD", "CHF", "SEK", "NOK", "INR"};
const char* const kCurrencyNames[] = {"US Dollar",       "Euro",
                                      "Pound Sterling",  "Yen",
                                      "Canadian Dollar", "Australian Dollar",
                                      "Swiss Franc",     "Swedish Krona",
                                      "Norwegian Krone", "Indian Rupee"};
const char* const kAgents[] = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "curl/8.5.0", "python-requests/2.31.0"};
const char* const kMimes[] = {"application/json", "text/html",      "text/plain",
                              "image/png",        "image/jpeg",     "application/pdf",
                              "text/csv",         "application/xml"};
const char* const kExts[] = {"json", "html", "txt", "png", "jpg", "pdf", "csv", "xml", "md"};
const char* const kIbanCountries[] = {"DE", "FR", "GB", "NL", "ES", "IT"};

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string digits(Rng& r, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + r.between(0, 9));
    return s;
}

std::string words(Rng& r, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) {
        if (i) s += ' ';
        s += r.pick(kWords);
    }
    return s;
}

std::string sentence(Rng& r) {
    std::string s = words(r, static_cast<int>(r.between(5, 10)));
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s + ".";
}

char luhnDigit(const std::string& body) {
    int sum = 0;
    bool dbl = true;  // the check digit will be appended on the right
    for (auto it = body.rbegin(); it != body.rend(); ++it) {
        int d = *it - '0';
        if (dbl) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        dbl = !dbl;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string mod97Check(const std::string& country, const std::string& bban) {
    // ISO 13616: move country + "00" to the end, letters to numbers, 98 - (n mod 97).
    std::string moved = bban + country + "00";
    int rem = 0;
    for (char c : moved) {
        std::string part = std::isalpha(static_cast<unsigned char>(c))
                               ? std::to_string(c - 'A' + 10)
                               : std::string(1, c);
        for (char d : part) rem = (rem * 10 + (d - '0')) % 97;
    }
    int check = 98 - rem;  // 2..98
    return std::string{static_cast<char>('0' + check / 10), static_cast<char>('0' + check % 10)};
}

std::string hexByte(Rng& r) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(r.between(0, 255)));
    return buf;
}

using Gen = std::function<std::string(Rng&, const std::vector<std::string>&)>;

const std::unordered_map<std::string, Gen>& generators() {
    static const std::unordered_map<std::string, Gen> g = {
        {"name", [](Rng& r, auto&) { return std::string(r.pick(kFirst)) + " " + r.pick(kLast); }},
        {"firstname", [](Rng& r, auto&) { return std::string(r.pick(kFirst)); }},
        {"lastname", [](Rng& r, auto&) { return std::string(r.pick(kLast)); }},
        {"email",
         [](Rng& r, auto&) {
             return lower(r.pick(kFirst)) + "." + lower(r.pick(kLast)) +
                    std::to_string(r.between(1, 99)) + "@" + r.pick(kDomains);
         }},
        {"username",
         [](Rng& r, auto&) {
             return lower(r.pick(kFirst)) + "_" + std::to_string(r.between(10, 9999));
         }},
        {"phone",
         [](Rng& r, auto&) {
             return "+1-" + std::to_string(r.between(201, 989)) + "-" + digits(r, 3) + "-" +
                    digits(r, 4);
         }},
        {"company",
         [](Rng& r, auto&) { return std::string(r.pick(kCompanyA)) + " " + r.pick(kCompanyB); }},
        {"address",
         [](Rng& r, auto&) { return std::to_string(r.between(1, 9999)) + " " + r.pick(kStreets); }},
        {"city", [](Rng& r, auto&) { return std::string(r.pick(kCities)); }},
        {"state", [](Rng& r, auto&) { return std::string(r.pick(kStates)); }},
        {"zipcode", [](Rng& r, auto&) { return digits(r, 5); }},
        {"country", [](Rng& r, auto&) { return std::string(r.pick(kCountries)); }},
        {"word", [](Rng& r, auto&) { return std::string(r.pick(kWords)); }},
        {"words",
         [](Rng& r, const std::vector<std::string>& a) {
             int n = a.empty() ? static_cast<int>(r.between(3, 5)) : std::atoi(a[0].c_str());
             return words(r, std::clamp(n, 1, 100));
         }},
        {"sentence", [](Rng& r, auto&) { return sentence(r); }},
        {"paragraph",
         [](Rng& r, auto&) {
             std::string p;
             for (int i = 0, n = static_cast<int>(r.between(3, 5)); i < n; ++i)
                 p += (i ? " " : "") + sentence(r);
             return p;
         }},
        {"boolean", [](Rng& r, auto&) { return std::string(r.between(0, 1) ? "true" : "false"); }},
        {"uuid",
         [](Rng& r, auto&) {
             std::string h;
             for (int i = 0; i < 16; ++i) h += hexByte(r);
             h[12] = '4';
             h[16] = "89ab"[r.between(0, 3)];
             return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
                    h.substr(16, 4) + "-" + h.substr(20);
         }},
        {"ipv4",
         [](Rng& r, auto&) {
             return std::to_string(r.between(1, 223)) + "." + std::to_string(r.between(0, 255)) +
                    "." + std::to_string(r.between(0, 255)) + "." +
                    std::to_string(r.between(1, 254));
         }},
        {"ipv6",
         [](Rng& r, auto&) {
             std::string s;
             for (int i = 0; i < 8; ++i) s += (i ? ":" : "") + hexByte(r) + hexByte(r);
             return s;
         }},
        {"macaddress",
         [](Rng& r, auto&) {
             std::string s;
             for (int i = 0; i < 6; ++i) s += (i ? ":" : "") + hexByte(r);
             return s;
         }},
        {"useragent", [](Rng& r, auto&) { return std::string(r.pick(kAgents)); }},
        {"url",
         [](Rng& r, auto&) {
             return "https://" + std::string(r.pick(kDomains)) + "/" + r.pick(kWords);
         }},
        {"creditcard",
         [](Rng& r, auto&) {
             std::string body = "4" + digits(r, 14);  // a Visa-style 16-digit number
             return body + luhnDigit(body);
         }},
        {"creditcardexp",
         [](Rng& r, auto&) {
             time_t now = std::time(nullptr);
             std::tm tm{};
             gmtime_r(&now, &tm);
             char buf[8];
             std::snprintf(buf, sizeof buf, "%02d/%02d", static_cast<int>(r.between(1, 12)),
                           (tm.tm_year + 1900 + static_cast<int>(r.between(1, 5))) % 100);
             return std::string(buf);
         }},
        {"cvv", [](Rng& r, auto&) { return digits(r, 3); }},
        {"currencycode", [](Rng& r, auto&) { return std::string(r.pick(kCurrencies)); }},
        {"currency", [](Rng& r, auto&) { return std::string(r.pick(kCurrencyNames)); }},
        {"iban",
         [](Rng& r, auto&) {
             std::string country = r.pick(kIbanCountries);
             std::string bban = digits(r, 18);
             return country + mod97Check(country, bban) + bban;
         }},
        {"price",
         [](Rng& r, auto&) {
             char buf[32];
             std::snprintf(buf, sizeof buf, "%.2f",
                           static_cast<double>(r.between(100, 99999)) / 100.0);
             return std::string(buf);
         }},
        {"productname", [](Rng& r, auto&) { return std::string(r.pick(kProducts)); }},
        {"color", [](Rng& r, auto&) { return std::string(r.pick(kColors)); }},
        {"hexcolor", [](Rng& r, auto&) { return "#" + hexByte(r) + hexByte(r) + hexByte(r); }},
        {"ssn",
         [](Rng& r, auto&) {
             return std::to_string(r.between(100, 665)) + "-" + std::to_string(r.between(10, 99)) +
                    "-" + std::to_string(r.between(1000, 9999));
         }},
        {"passport",
         [](Rng& r, auto&) {
             return std::string(1, static_cast<char>('A' + r.between(0, 25))) + digits(r, 8);
         }},
        {"jobtitle", [](Rng& r, auto&) { return std::string(r.pick(kJobs)); }},
        {"latitude",
         [](Rng& r, auto&) {
             char buf[32];
             std::snprintf(buf, sizeof buf, "%.6f", r.unit() * 180.0 - 90.0);
             return std::string(buf);
         }},
        {"longitude",
         [](Rng& r, auto&) {
             char buf[32];
             std::snprintf(buf, sizeof buf, "%.6f", r.unit() * 360.0 - 180.0);
             return std::string(buf);
         }},
        {"slug", [](Rng& r, auto&) { return std::string(r.pick(kWords)) + "-" + r.pick(kWords); }},
        {"mimetype", [](Rng& r, auto&) { return std::string(r.pick(kMimes)); }},
        {"fileextension", [](Rng& r, auto&) { return std::string(r.pick(kExts)); }},
    };
    return g;
}

}  // namespace

bool luhnValid(std::string_view d) {
    if (d.size() < 2) return false;
    int sum = 0;
    bool dbl = false;
    for (auto it = d.rbegin(); it != d.rend(); ++it) {
        if (*it < '0' || *it > '9') return false;
        int v = *it - '0';
        if (dbl) {
            v *= 2;
            if (v > 9) v -= 9;
        }
        sum += v;
        dbl = !dbl;
    }
    return sum % 10 == 0;
}

bool fake(std::string_view type, const std::vector<std::string>& args, Rng& rng, std::string& out) {
    auto& g = generators();
    auto it = g.find(lower(type));
    if (it == g.end()) return false;
    out += it->second(rng, args);
    return true;
}

const std::vector<std::string>& fakerTypes() {
    static const std::vector<std::string> types = [] {
        std::vector<std::string> t;
        for (const auto& [k, v] : generators()) t.push_back(k);
        std::sort(t.begin(), t.end());
        return t;
    }();
    return types;
}

}  // namespace mockd::tmpl
