// Threads whose work may wait while requests are served: admin writes and the registry's folds.
// On a machine whose cores are all busy serving, they take a small share of the CPU instead of
// an equal one, so that a bulk import or a fold of 10,000 mocks slows the requests being served
// as little as it can; on an idle machine they run at full speed.
#pragma once

namespace mockd::core {

// The nice value such a thread runs at (the kernel weighs a nice-10 thread at about a tenth of
// a nice-0 one).
inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread's priority to kBackgroundNice. A thread cannot raise it again.
void giveWayToServing();

}  // namespace mockd::core
