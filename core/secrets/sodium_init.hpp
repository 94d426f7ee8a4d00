// libsodium must be initialised once before use; every user calls this first.
#pragma once

#include "foundation/error.hpp"

#include <sodium.h>

namespace provisio {

inline void ensure_sodium() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) fail(ErrorKind::internal, "libsodium failed to initialise");
}

}  // namespace provisio
