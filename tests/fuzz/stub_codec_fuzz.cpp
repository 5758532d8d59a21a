// The WireMock stub codec: a mapping file or import body decoded stub by stub, printed back,
// and compiled into a registry. Bad stubs must be PatternErrors (422) or FieldErrors.
#include <string_view>

#include "core/errors.h"
#include "match/registry.h"
#include "wiremock/stub_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace mockd;
    using wiremock::OJson;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    OJson doc = OJson::parse(text, nullptr, false, true);
    if (doc.is_discarded()) return 0;
    try {
        match::Registry registry;
        registry.setOrder(match::Order::Priority);
        const auto scenarios = std::make_shared<wiremock::Scenarios>();
        for (const auto& stub : wiremock::stubsOf(doc)) {
            core::Mock m = wiremock::decodeStub(stub, "/nonexistent/__files", scenarios);
            OJson printed = wiremock::encodeStub(m);
            if (printed.contains("request") && printed["request"].is_object())
                wiremock::canonicalizeRequest(printed["request"]);
            (void)printed.dump();
            registry.upsert(std::move(m));
        }
    } catch (const wiremock::PatternError&) {
    } catch (const core::FieldError&) {
    }
    return 0;
}
