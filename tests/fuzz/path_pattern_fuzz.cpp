// Path templates: a mock path (first line) compiled and matched against a request path (the
// rest), with captures, as every request on the mock port does.
#include <string_view>
#include <vector>

#include "match/path_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using mockd::match::PathPattern;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    size_t nl = in.find('\n');
    std::string_view pattern = in.substr(0, nl);
    std::string_view path = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    PathPattern p = PathPattern::compile(pattern);
    mockd::core::Captures caps;
    std::string decoded = mockd::match::percentDecode(path);
    (void)p.match(decoded, &caps);
    (void)p.match(path);
    (void)p.score();
    (void)p.segmentCount();
    (void)p.firstLiteralSegment();
    (void)mockd::match::percentDecode(path, true);
    std::vector<std::string_view> segs;
    mockd::match::splitSegments(path, segs);
    return 0;
}
