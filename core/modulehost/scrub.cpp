// scrub_secrets: the host masks secrets with the SDK's own rule (provisio/scrub.hpp), so the fake
// host in provisio/testing.hpp masks exactly what the host does and the two cannot drift apart.
#include "modulehost/host_services.hpp"

#include <provisio/scrub.hpp>

namespace provisio {

std::string scrub_secrets(std::string text, const std::vector<std::string> &secrets) {
    return rules::scrub_secrets(std::move(text), secrets);
}

}  // namespace provisio
