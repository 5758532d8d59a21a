// What this binary was built from.
#pragma once

namespace mockd {

// The short commit hash of the source tree at build time ("unknown" outside a git checkout).
const char* buildCommit();

}  // namespace mockd
