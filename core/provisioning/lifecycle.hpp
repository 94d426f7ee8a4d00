// Driving a service through its lifecycle: check the state machine, build the call from the
// service, product, server and client, dispatch it to the module, and persist the outcome —
// call log, module state, new status, queue item — in one transaction.
//
// A module error leaves the status as it was; a retryable error also queues the call. Every call
// goes through the Provisioner's Quarantine (provisioning/quarantine.hpp): a call whose queue
// item is parked is not made, nor one whose module the run skips.
#pragma once

#include "domain/repository.hpp"
#include "foundation/calendar.hpp"
#include "modulehost/module_host.hpp"
#include "provisioning/quarantine.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

struct LifecycleResult {
    int64_t service_id = 0;
    std::string action;
    provisio_status status = PROVISIO_OK;
    std::string message;
    std::string status_before;
    std::string status_after;
    std::optional<int64_t> queue_id;   // when a retryable failure was queued
    std::optional<std::string> parked;  // the reason, when this call's failure parked its queue item
    bool called_module = true;
};

struct QueueRetryResult {
    int64_t queue_id = 0;
    std::optional<LifecycleResult> result;  // absent when the call could not be made
    bool obsolete = false;                  // closed: the service moved on since it was queued
    bool parked = false;                    // not run: the item is parked until released (note says why)
    std::string note;
};

struct RunOptions {
    std::string reason;                       // suspend: why
    std::optional<std::string> new_password;  // change_password: the new one (saved only on success)
    std::string requested_by;                 // the task that asked ("automation" for overdue, "autosuspend"),
                                              // empty for an operator; a suspension is released only by its task
    bool even_if_parked = false;              // an operator's own lifecycle command: makes a parked call anyway
};

// One lifecycle call split for callers that make many at once: prepare() and complete() use the
// database (one thread at a time); invoke() between them may run on any thread. invoke() answers
// nullopt when the call was not made (its module is skipped for the rest of the run), and
// complete() then queues it without counting an attempt.
// A call about a server record alone (test_connection, a payment gateway's account): the
// module's product defaults, the record's fields and options, its secrets masked.
CallInput server_call_input(const Server &server, const LoadedModule &module);

struct PreparedCall {
    Service service;
    Action action = Action::create;
    RunOptions options;
    const char *final_status = nullptr;
    const LoadedModule *module = nullptr;  // null: the product has no module; complete() changes the status only
    CallInput input;
};

class Provisioner {
public:
    // `today` is the business date (for the date a service is first provisioned); without it,
    // the UTC date.
    Provisioner(Repository &repo, const ModuleHost &host, std::optional<Date> today = std::nullopt)
        : repo_(repo), host_(host), today_(today), own_quarantine_(std::make_shared<Quarantine>()) {}

    // The run's Quarantine, shared by every call it makes (cron's tasks, one command); without
    // it, the Provisioner keeps its own with the default limits.
    Provisioner &contain(Quarantine &quarantine) {
        quarantine_ = &quarantine;
        return *this;
    }
    Quarantine &quarantine() const { return quarantine_ ? *quarantine_ : *own_quarantine_; }

    // Before a service is terminated (terminate, or cancel of a live service), collect its usage
    // once more through its module's usage hook, so the calls made up to the end are stored and
    // billed by the next autobill. A failed collection stops the terminate (Error(module_failed)):
    // the PBX that cannot report the calls could not terminate the service either. Callers that
    // may terminate set this (cli::Context::provisioner, automation's task_provisioner).
    Provisioner &collect_usage_before_terminate(const BusinessZone &zone) {
        final_usage_zone_ = zone;
        return *this;
    }

    // Runs a lifecycle action. Throws Error for what stops it before the module is called
    // (unknown service, forbidden transition, module not loaded, invalid settings, a parked
    // call — unless options.even_if_parked); the module's own failures come back in the result.
    // change_password without a new password re-sends the saved one.
    LifecycleResult run(int64_t service_id, Action action, const RunOptions &options = {});
    // run() in three steps; prepare() throws what run() throws before the module is called.
    PreparedCall prepare(int64_t service_id, Action action, const RunOptions &options = {});
    std::optional<CallOutcome> invoke(const PreparedCall &call) const;
    LifecycleResult complete(const PreparedCall &call, const std::optional<CallOutcome> &outcome);
    // Cancels a service: a Pending one directly; an Active or Suspended one after the module's
    // terminate succeeds.
    LifecycleResult cancel(int64_t service_id);
    // ABI 1.5: the module's custom action `name` on an Active or Suspended service, made at
    // once and never queued (whoever asked sees the outcome and may ask again). The call is
    // logged and the state the module changed saved; the status never changes. `for_client`:
    // the service's client asked, and an action not marked client-visible is not_found, as an
    // unknown one is. Throws Error for what stops it before the module is called.
    LifecycleResult run_custom(int64_t service_id, std::string_view name, bool for_client = false);
    // The custom actions of the service's module that the caller may run (`for_client`: the
    // client-visible ones); none when the product has no module or it is not loaded.
    std::vector<CustomAction> custom_actions(const Service &service, bool for_client = false) const;
    // The module's test_connection against a server record, outside any service.
    LifecycleResult test_server(int64_t server_id);
    // Retries open queue items (all, or one). Items whose service has since moved on are closed
    // as obsolete; parked items are not run (parked, with the reason in the note).
    std::vector<QueueRetryResult> retry_queue(std::optional<int64_t> queue_id);

    // What a module call about `service` receives: effective settings, service and server
    // fields, state, and the secrets to scrub. Throws Error when the module is not loaded, the
    // settings are invalid, or a server the module needs is missing.
    // `product` and `client`, when given, save reloading them (callers working through many
    // services keep them cached).
    CallInput call_input(const Service &service, const LoadedModule &module, const RunOptions &options,
                         const Product *product = nullptr, const Client *client = nullptr);

private:
    PreparedCall prepare_call(Service service, Action action, const RunOptions &options, const char *final_status);

    Date today() const;

    Repository &repo_;
    const ModuleHost &host_;
    std::optional<Date> today_;
    std::optional<BusinessZone> final_usage_zone_;
    Quarantine *quarantine_ = nullptr;
    std::shared_ptr<Quarantine> own_quarantine_;
    void collect_final_usage(const Service &service, const LoadedModule &module);
    struct ProductValues {
        Settings validated;  // the product's own values
        Settings effective;  // with the module's defaults: what a service without overrides gets
    };
    std::map<int64_t, ProductValues> product_values_;  // when callers pass products in
};

}  // namespace provisio
