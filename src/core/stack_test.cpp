// Deep-stack threads and the stack left.
#include "core/stack.h"

#include <gtest/gtest.h>

namespace mockd::core {
namespace {

TEST(Stack, ADeepStackThreadHasTheStackItAskedFor) {
    size_t deep = 0, shallow = 0;
    DeepStackThread([&] { deep = stackRemaining(); }).join();
    DeepStackThread([&] { shallow = stackRemaining(); }, size_t{16} << 20).join();
    EXPECT_GT(deep, size_t{900} << 20);
    EXPECT_GT(shallow, size_t{15} << 20);
    EXPECT_LT(shallow, size_t{17} << 20);
    EXPECT_GT(stackRemaining(), 0u);  // this thread's, whatever it is
}

}  // namespace
}  // namespace mockd::core
