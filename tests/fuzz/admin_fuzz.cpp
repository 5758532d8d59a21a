// Admin API request bodies: the first line is "METHOD /path" (the mockd admin API, or WireMock's
// under /__admin), the rest is the body. Each input runs against fresh state holding one mock,
// so routes that edit or look one up have something to find.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "admin/admin_api.h"
#include "chaos/chaos.h"
#include "core/mock_codec.h"
#include "wiremock/admin_api.h"

namespace {

using namespace mockd;

const std::string& rootDir() {
    static const std::string dir = [] {
        std::string t = (std::filesystem::temp_directory_path() / "mockd-admin-fuzz-XXXXXX");
        if (!::mkdtemp(t.data())) std::abort();
        std::filesystem::create_directories(t + "/mappings");
        std::filesystem::create_directories(t + "/__files");
        return t;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    std::string_view body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return 0;

    core::Request req;
    req.method = line.substr(0, sp);
    req.target = line.substr(sp + 1);
    if (req.target.empty() || req.target[0] != '/') return 0;
    size_t q = req.target.find('?');
    req.rawPath = req.target.substr(0, q);
    req.rawQuery = q == std::string_view::npos ? std::string_view() : req.target.substr(q + 1);
    std::string decoded = match::percentDecode(req.rawPath);
    req.path = decoded;
    req.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
    req.body = body;
    req.remoteAddress = "127.0.0.1";

    match::Registry registry;
    journal::Journal journal(64);
    http::Metrics metrics;
    state::TableStore tables;
    chaos::Controller chaos;
    registry.upsert(core::decodeMock(
        core::Json::parse(R"({"id":"m1","type":"http","http":{"matcher":{"method":"GET",
        "path":"/a/{id}"},"response":{"statusCode":200,"body":"x"}}})"),
        "seed", {}));
    admin::AdminSettings settings;
    settings.access.noAuth = true;
    settings.tables = &tables;
    settings.chaos = &chaos;
    admin::AdminApi mockdApi(registry, journal, metrics, settings);
    wiremock::ApiOptions wo;
    wo.rootDir = rootDir();
    wiremock::WireMockApi wmApi(registry, &journal, wo);

    http::Response res;
    if (req.path.starts_with("/__admin"))
        wmApi.handle(req, res);
    else
        mockdApi.handle(req, res);
    // The codec must write whatever the handlers produced.
    std::string out;
    http::writeResponse(res, false, out);
    // Whatever a request persisted must not leak into the next input.
    std::error_code ec;
    for (const char* sub : {"/mappings", "/__files"}) {
        std::filesystem::remove_all(rootDir() + sub, ec);
        std::filesystem::create_directories(rootDir() + sub, ec);
    }
    return 0;
}
