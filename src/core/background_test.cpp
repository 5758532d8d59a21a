#include "core/background.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

namespace mockd::core {
namespace {

int threadNice() {
    errno = 0;
    return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
}

TEST(Background, LowersOnlyTheCallingThread) {
    const int before = threadNice();
    int inside = before;
    std::thread([&] {
        giveWayToServing();
        inside = threadNice();
    }).join();
    // A process already running at a higher nice value keeps it (a thread cannot raise it).
    EXPECT_EQ(inside, std::max(before, kBackgroundNice));
    EXPECT_EQ(threadNice(), before);  // the caller's own thread is untouched
}

}  // namespace
}  // namespace mockd::core
