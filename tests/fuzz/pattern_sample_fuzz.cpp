// The pattern sampler of generated examples: any pattern gives a string RE2 confirms, or none.
#include <random>
#include <string_view>

#include "portability/regex_sample.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::mt19937_64 rng(size);
    (void)mockd::portability::sampleForPattern(
        std::string_view(reinterpret_cast<const char*>(data), size), rng);
    return 0;
}
