#include "core/background.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mockd::core {

void giveWayToServing() {
    // On Linux the nice value belongs to the thread: PRIO_PROCESS with a thread id sets it for
    // that thread alone. Failing to lower it costs only the share it would have given back.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    (void)::setpriority(PRIO_PROCESS, tid, kBackgroundNice);
}

}  // namespace mockd::core
