// One importer under the fuzzer: any document converted into a mockd collection (or refused
// with an ImportError), and what it gives loaded as the server loads it (or refused with a
// ConfigError). Each *_import_fuzz.cpp names its format.
#pragma once

#include <filesystem>
#include <string_view>

#include "config/loader.h"
#include "portability/formats.h"

inline int fuzzImport(mockd::portability::Format format, const uint8_t* data, size_t size) {
    using namespace mockd::portability;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static const std::filesystem::path kBase = std::filesystem::temp_directory_path();
    try {
        ImportOptions options;
        options.baseDir = kBase;
        auto r = importDocument(text, format, options);
        (void)mockd::config::loadText(r.collection.dump(), "fuzz.json", false, kBase, false);
    } catch (const ImportError&) {
    } catch (const mockd::config::ConfigError&) {
    }
    return 0;
}
