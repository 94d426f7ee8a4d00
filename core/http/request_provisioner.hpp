// The Provisioner a request of `provisio serve` uses: the request is the run, so it has a
// Quarantine of its own with the configured limits (as each CLI command does), and the business
// date of the moment it is served.
#pragma once

#include "automation/task.hpp"
#include "http/serve_context.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/quarantine.hpp"

namespace provisio {

struct RequestProvisioner {
    Quarantine quarantine;
    Provisioner provisioner;

    RequestProvisioner(ServeLease &lease, const ServeContext &context)
        : quarantine(QuarantineLimits{context.config().quarantine_after, context.config().skip_module_after}),
          provisioner(lease.repo(), context.modules(), context.today()), lease_(lease), context_(context) {
        provisioner.contain(quarantine).collect_usage_before_terminate(BusinessZone(context.config().timezone));
    }
    // What a cron task gets, for a request doing a task's work: its connection, this Quarantine,
    // the clock and the business date.
    TaskContext task_context() {
        return TaskContext{lease_.db(), lease_.repo(), context_.modules(), quarantine, context_.config(), lease_.repo().now_text(),
                           context_.today(), false};
    }
    RequestProvisioner(const RequestProvisioner &) = delete;
    RequestProvisioner &operator=(const RequestProvisioner &) = delete;

private:
    ServeLease &lease_;
    const ServeContext &context_;
};

}  // namespace provisio
