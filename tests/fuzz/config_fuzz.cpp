// The mockd config loader: a collection as YAML or JSON (first byte picks), decoded, validated
// and compiled, then published as a registry snapshot. Bad input must be a ConfigError.
#include <filesystem>
#include <string_view>

#include "config/loader.h"
#include "match/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const bool yaml = (data[0] & 1) == 0;
    static const std::filesystem::path kBase = std::filesystem::temp_directory_path();
    try {
        auto cfg = mockd::config::loadText(text, yaml ? "fuzz.yaml" : "fuzz.json", yaml, kBase);
        mockd::match::Registry registry;
        registry.replaceAll(std::move(cfg.compiled));
        (void)registry.snapshot()->size();
    } catch (const mockd::config::ConfigError&) {
    }
    return 0;
}
