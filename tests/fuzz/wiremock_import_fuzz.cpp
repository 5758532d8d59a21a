// The WireMock mapping importer (import_fuzz.h).
#include "import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzzImport(mockd::portability::Format::WireMock, data, size);
}
