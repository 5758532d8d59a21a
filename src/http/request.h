// The request view (core/request.h) as the HTTP layer names it.
#pragma once

#include "core/request.h"

namespace mockd::http {

using core::Header;
using core::iequals;
using core::Request;

}  // namespace mockd::http
