// The Provisioner a request of `provisio serve` uses: the request is the run, so it has a
// Quarantine of its own with the configured limits (as each CLI command does), and the business
// date of the moment it is served.
#pragma once

#include "http/serve_context.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/quarantine.hpp"

namespace provisio {

struct RequestProvisioner {
    Quarantine quarantine;
    Provisioner provisioner;

    RequestProvisioner(ServeLease &lease, const ServeContext &context)
        : quarantine(QuarantineLimits{context.config().quarantine_after, context.config().skip_module_after}),
          provisioner(lease.repo(), context.modules(), context.today()) {
        provisioner.contain(quarantine).collect_usage_before_terminate(BusinessZone(context.config().timezone));
    }
    RequestProvisioner(const RequestProvisioner &) = delete;
    RequestProvisioner &operator=(const RequestProvisioner &) = delete;
};

}  // namespace provisio
