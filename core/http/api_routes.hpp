// The routes `provisio serve` answers: /healthz and the JSON API under /api/v1. Each handler is
// an adapter over the same use-case functions and JSON shapes (shapes/records_json.hpp) the CLI
// uses; none holds logic of its own.
#pragma once

#include "http/router.hpp"

#include <string>

namespace provisio {

Router api_router(const std::string &version);

}  // namespace provisio
