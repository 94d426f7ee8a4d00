#include "provisioning/lifecycle.hpp"

#include "foundation/error.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/credit_generation.hpp"
#include "provisioning/module_queue.hpp"
#include "provisioning/module_settings.hpp"
#include "provisioning/state_machine.hpp"
#include "store/database.hpp"
#include "usage/collection.hpp"

#include <spdlog/spdlog.h>

namespace provisio {

namespace {

// The server as a call sees it: its module options with the schema's defaults filled in (a
// REQUIRED one left empty fails here, before the call goes out), then the record's fields.
Settings server_fields(const Server &s, const LoadedModule &m) {
    Settings f = effective_server_options(m, s);
    f["name"] = s.name;
    f["hostname"] = s.hostname;
    f["ip"] = s.ip;
    f["port"] = s.port ? std::to_string(*s.port) : "";
    f["username"] = s.username;
    f["password"] = s.password;
    f["access_hash"] = s.access_hash;
    f["secure"] = s.secure ? "yes" : "no";
    return f;
}

// `fields` is what server_fields gave for `s`: a PASSWORD option's default is masked too.
std::vector<std::string> server_secrets(const Server &s, const Settings &fields, const LoadedModule &m) {
    std::vector<std::string> out{s.password, s.access_hash};
    for (const auto &key : m.description.schema.secret_keys(PROVISIO_SCOPE_SERVER))
        if (auto it = fields.find(key); it != fields.end()) out.push_back(it->second);
    return out;
}

}  // namespace

CallInput server_call_input(const Server &server, const LoadedModule &module) {
    CallInput in;
    in.settings = module.description.schema.defaults(PROVISIO_SCOPE_PRODUCT);  // no product: nothing is required of one
    in.server = server_fields(server, module);
    in.tls_verify = server.tls_verify;
    in.secrets = server_secrets(server, in.server, module);
    return in;
}

LifecycleResult Provisioner::run(int64_t service_id, Action action, const RunOptions &options) {
    const PreparedCall call = prepare(service_id, action, options);
    return complete(call, invoke(call));
}

PreparedCall Provisioner::prepare(int64_t service_id, Action action, const RunOptions &options) {
    Service service = repo_.get_service(service_id);
    if (auto why = transition_refusal(action, service.status))
        fail(ErrorKind::refused, "service " + std::to_string(service_id) + ": " + *why);
    RunOptions o = options;
    if (action != Action::change_password) o.new_password.reset();
    return prepare_call(std::move(service), action, o, nullptr);
}

std::optional<CallOutcome> Provisioner::invoke(const PreparedCall &call) const {
    if (!call.module) return CallOutcome{};
    return quarantine().call(*call.module, call.input, [&] { return host_.invoke(*call.module, call.action, call.input); });
}

LifecycleResult Provisioner::cancel(int64_t service_id) {
    const Service service = repo_.get_service(service_id);
    if (service.status == status::pending) {
        Transaction tx(repo_.database());
        repo_.set_service_status(service_id, status::cancelled, "");
        tx.commit();
        LifecycleResult r;
        r.service_id = service_id;
        r.action = "cancel";
        r.status_before = service.status;
        r.status_after = status::cancelled;
        r.called_module = false;
        r.message = "cancelled; it was never provisioned, so the module was not called";
        return r;
    }
    if (service.status != status::active && service.status != status::suspended)
        fail(ErrorKind::refused, "service " + std::to_string(service_id) + ": cancel needs a service that is Pending, "
                                 "Active or Suspended, and this one is " + service.status);
    const PreparedCall call = prepare_call(service, Action::terminate, {}, status::cancelled);
    LifecycleResult r = complete(call, invoke(call));
    r.action = "cancel";
    return r;
}

CallInput Provisioner::call_input(const Service &service, const LoadedModule &module, const RunOptions &options,
                                  const Product *known_product, const Client *known_client) {
    const std::string id = std::to_string(service.id);
    const std::string &reason = options.reason;
    const std::optional<std::string> &new_password = options.new_password;
    std::optional<Product> loaded_product;
    const Product &product = known_product ? *known_product : loaded_product.emplace(repo_.get_product(service.product_id));
    std::optional<Server> server;
    if (service.server_id) server = repo_.get_server(*service.server_id);
    if (!server && (module.description.capabilities & PROVISIO_CAP_NEEDS_SERVER))
        fail(ErrorKind::refused, "service " + id + " has no server, and module " + module.name() +
                                     " needs one (provisio service set " + id + " --server NAME)");
    std::optional<Client> loaded_client;
    const Client &client = known_client ? *known_client : loaded_client.emplace(repo_.get_client(service.client_id));

    CallInput in;
    in.service_id = static_cast<uint64_t>(service.id);
    if (known_product) {
        // Many services of one product: validate its values once, and work out the effective
        // settings once for all its services without overrides.
        auto cached = product_values_.find(product.id);
        if (cached == product_values_.end()) {
            const Settings values = module.description.schema.validate(
                "module " + module.name() + " (product '" + product.name + "')", PROVISIO_SCOPE_PRODUCT, product.settings);
            ProductValues v{values, module.description.schema.effective("module " + module.name(), PROVISIO_SCOPE_PRODUCT, values, {})};
            cached = product_values_.emplace(product.id, std::move(v)).first;
        }
        if (service.overrides.empty()) {
            in.settings = cached->second.effective;
        } else {
            const Settings overrides = module.description.schema.validate("module " + module.name() + " (service " + id + ")",
                                                                          PROVISIO_SCOPE_PRODUCT, service.overrides);
            in.settings = module.description.schema.effective("module " + module.name(), PROVISIO_SCOPE_PRODUCT,
                                                              cached->second.validated, overrides);
        }
    } else {
        in.settings = effective_settings(module, product, &service);
    }
    in.service = {{"domain", service.domain},
                  {"username", service.username},
                  {"password", new_password.value_or(service.password)},
                  {"dedicated_ip", service.dedicated_ip},
                  {"status", service.status},
                  {"client_id", std::to_string(client.id)},
                  {"client_email", client.email},
                  {"client_name", client.first_name + (client.last_name.empty() ? "" : " " + client.last_name)},
                  {"product_id", std::to_string(product.id)},
                  {"product_name", product.name},
                  {"billing_cycle", service.billing_cycle},
                  {"next_due_date", service.next_due_date.value_or("")},
                  {"recurring_amount", service.recurring_amount.to_string()}};
    in.custom_fields = service.custom_fields;
    in.state = service.module_state;
    in.reason = reason;
    in.secrets.push_back(service.password);
    if (new_password) in.secrets.push_back(*new_password);
    for (const auto &key : module.description.schema.secret_keys(PROVISIO_SCOPE_PRODUCT))
        if (auto it = in.settings.find(key); it != in.settings.end()) in.secrets.push_back(it->second);
    if (server) {
        in.server = server_fields(*server, module);
        in.tls_verify = server->tls_verify;
        for (auto &s : server_secrets(*server, in.server, module)) in.secrets.push_back(std::move(s));
    }
    return in;
}

namespace {
// The business date a service was first provisioned: calendar credit cycles and the first usage
// collection start from it.
void mark_activated(Database &db, int64_t service_id, Date on) {
    db.prepare("UPDATE services SET activated_on = COALESCE(activated_on, ?2) WHERE id = ?1").bind(1, service_id).bind(2, format_date(on)).run();
}
}  // namespace

void Provisioner::collect_final_usage(const Service &service, const LoadedModule &module) {
    if (!final_usage_zone_ || !module.description.functions.collect_usage) return;
    {
        auto billed = repo_.database().prepare("SELECT 1 FROM voip_packages WHERE product_id = ?1");
        billed.bind(1, service.product_id);
        if (!billed.step()) return;  // its calls are not billed: nothing to collect
    }
    const usage::CollectionReport r =
        usage::collect_usage(repo_.database(), repo_, host_, quarantine(), *final_usage_zone_, repo_.now_text(), service.id);
    if (!r.error.empty())
        fail(ErrorKind::module_failed, "service " + std::to_string(service.id) + ": the last usage collection before terminating failed (" +
                                           r.error + "); nothing was terminated, so no call is lost — try again");
}

PreparedCall Provisioner::prepare_call(Service service, Action action, const RunOptions &options, const char *final_status) {
    PreparedCall call;
    const Product product = repo_.get_product(service.product_id);
    if (product.module.empty()) {
        if (action != Action::create && action != Action::suspend && action != Action::unsuspend && action != Action::terminate)
            fail(ErrorKind::refused, "service " + std::to_string(service.id) + ": product '" + product.name +
                                         "' has no module, so there is nothing to " + action_name(action));
    } else {
        call.module = &host_.require(product.module);
        if (!options.even_if_parked)
            if (const auto parked = parked_item(repo_.database(), service.id, action_name(action)))
                fail(ErrorKind::refused, "service " + std::to_string(service.id) + ": " + parked->action + " is parked (queue item " +
                                             std::to_string(parked->id) + ", since " + parked->parked_at.value_or("") + ": " +
                                             parked->parked_reason + "); no task calls it again until an operator runs: "
                                             "provisio queue release " + std::to_string(parked->id));
        if (action == Action::terminate) collect_final_usage(service, *call.module);
        call.input = call_input(service, *call.module, options, &product);
    }
    call.service = std::move(service);
    call.action = action;
    call.options = options;
    call.final_status = final_status;
    return call;
}

LifecycleResult Provisioner::complete(const PreparedCall &call, const std::optional<CallOutcome> &made) {
    const Service &service = call.service;
    const Action action = call.action;
    const RunOptions &options = call.options;
    const char *final_status = call.final_status;
    const std::string &reason = options.reason;
    const std::optional<std::string> &new_password = options.new_password;
    if (!call.module) {
        // Nothing runs on a server (a service billed from imported records, say): the status
        // changes are the whole of create, suspend, unsuspend and terminate.
        LifecycleResult r;
        r.service_id = service.id;
        r.action = action_name(action);
        r.status = PROVISIO_OK;
        r.message = "no module: status changed only";
        r.status_before = service.status;
        r.status_after = final_status ? final_status : status_after(action, service.status);
        r.called_module = false;
        Transaction tx(repo_.database());
        const bool suspended = r.status_after == status::suspended;
        repo_.set_service_status(service.id, r.status_after, suspended ? reason : "", suspended ? options.requested_by : "");
        if (action == Action::create) mark_activated(repo_.database(), service.id, today());
        tx.commit();
        return r;
    }
    const LoadedModule &module = *call.module;
    Database &db = repo_.database();
    const std::string now = repo_.now_text();
    auto save_new_password = [&] {
        Service updated = service;
        updated.password = *new_password;
        repo_.update_service(updated);
    };
    if (!made) {
        // Not called: the run skips the module. The call waits on the queue, no attempt counted.
        LifecycleResult r;
        r.service_id = service.id;
        r.action = action_name(action);
        r.status = PROVISIO_RETRYABLE;
        r.message = quarantine().why_skipped(module.name());
        r.status_before = r.status_after = service.status;
        r.called_module = false;
        Transaction tx(db);
        if (new_password) save_new_password();  // the queued call re-sends the saved password
        r.queue_id = enqueue(db, service.id, r.action, reason, options.requested_by, r.message, now, Attempt::not_made).id;
        tx.commit();
        return r;
    }
    const CallOutcome &outcome = *made;
    const bool aborted = outcome.aborted != CallOutcome::Abort::none;

    LifecycleResult r;
    r.service_id = service.id;
    r.action = action_name(action);
    r.status = outcome.status;
    r.message = outcome.message;
    r.status_before = service.status;
    r.status_after = service.status;

    Transaction tx(db);
    record_call(db, now, module.name(), service.id, service.server_id, action_name(action), outcome);
    // An aborted call's state never reached the host whole: nothing of it is kept.
    if (outcome.state_changed && !aborted) repo_.save_module_state(service.id, outcome.state);
    switch (outcome.status) {
    case PROVISIO_OK: {
        r.status_after = final_status ? final_status : status_after(action, service.status);
        if (r.status_after != service.status || action == Action::suspend) {
            const bool suspended = r.status_after == status::suspended;
            repo_.set_service_status(service.id, r.status_after, suspended ? reason : "", suspended ? options.requested_by : "");
        }
        if (new_password) save_new_password();
        if (action == Action::create) mark_activated(db, service.id, today());
        resolve_queued(db, service.id, r.action, "done", "", now);
        break;
    }
    case PROVISIO_RETRYABLE:
        // The queued retry re-sends the saved password, so the new one must be saved.
        if (new_password) save_new_password();
        {
            const Enqueued queued = enqueue(db, service.id, r.action, reason, options.requested_by, outcome.message, now,
                                            aborted ? Attempt::aborted : Attempt::failed);
            r.queue_id = queued.id;
            r.parked = quarantine().park_if_due(db, queued, service.id, r.action, module.name(), outcome, now);
            if (r.parked)
                r.message += "; parked after " + std::to_string(queued.aborts) + " aborted attempt(s): no task retries it until "
                             "provisio queue release " + std::to_string(queued.id);
        }
        break;
    default:
        resolve_queued(db, service.id, r.action, "failed", outcome.message, now);
        break;
    }
    tx.commit();
    if (outcome.status != PROVISIO_OK)
        spdlog::error("service {} {}: module {} failed: {}", service.id, r.action, module.name(), outcome.message);
    if (outcome.status == PROVISIO_OK && action == Action::create && module.description.functions.generate_credits) {
        // A module whose credit cycle runs "on create" credits the new service now.
        const CreditReport credits = CreditGenerator(repo_, host_, quarantine(), today()).on_create(service.id);
        for (const auto &e : credits.errors) spdlog::error("{}", e);
        if (credits.entries) r.message += (r.message.empty() ? "" : "; ") + std::to_string(credits.entries) + " time-credit entr" +
                                           (credits.entries == 1 ? "y" : "ies") + " posted";
    }
    return r;
}

Date Provisioner::today() const {
    if (today_) return *today_;
    return parse_date(repo_.now_text().substr(0, 10), "today");
}

std::vector<CustomAction> Provisioner::custom_actions(const Service &service, bool for_client) const {
    const Product product = repo_.get_product(service.product_id);
    const LoadedModule *module = product.module.empty() ? nullptr : host_.find(product.module);
    std::vector<CustomAction> out;
    if (!module) return out;
    for (const auto &a : module->description.custom_actions)
        if (a.client_visible || !for_client) out.push_back(a);
    return out;
}

LifecycleResult Provisioner::run_custom(int64_t service_id, std::string_view name, bool for_client) {
    const Service service = repo_.get_service(service_id);
    const std::string id = std::to_string(service_id);
    const Product product = repo_.get_product(service.product_id);
    if (product.module.empty())
        fail(ErrorKind::not_found, "service " + id + ": product '" + product.name + "' has no module, so it has no action '" +
                                       std::string(name) + "'");
    const LoadedModule &module = host_.require(product.module);
    const CustomAction *action = module.description.custom_action(name);
    if (!action || (for_client && !action->client_visible)) {
        std::string known;
        for (const auto &a : custom_actions(service, for_client)) known += (known.empty() ? "" : ", ") + a.name;
        fail(ErrorKind::not_found, "service " + id + ": module " + module.name() + " has no " + (for_client ? "client " : "") +
                                       "action '" + std::string(name) + "' (" + (known.empty() ? "it has none" : "it has: " + known) + ")");
    }
    if (service.status != status::active && service.status != status::suspended)
        fail(ErrorKind::refused, "service " + id + ": " + action->name + " needs a service that is Active or Suspended, and this one is " +
                                     service.status);
    const CallInput input = call_input(service, module, {}, &product);
    const std::optional<CallOutcome> made =
        quarantine().call(module, input, [&] { return host_.invoke_custom(module, action->name, input); });
    LifecycleResult r;
    r.service_id = service.id;
    r.action = action->name;
    r.status_before = r.status_after = service.status;
    if (!made) {
        r.status = PROVISIO_RETRYABLE;
        r.message = quarantine().why_skipped(module.name());
        r.called_module = false;
        return r;
    }
    r.status = made->status;
    r.message = made->message;
    Database &db = repo_.database();
    Transaction tx(db);
    record_call(db, repo_.now_text(), module.name(), service.id, service.server_id, action->name, *made);
    if (made->state_changed && made->aborted == CallOutcome::Abort::none) repo_.save_module_state(service.id, made->state);
    tx.commit();
    if (made->status != PROVISIO_OK) spdlog::error("service {} {}: module {} failed: {}", service.id, action->name, module.name(), made->message);
    return r;
}

LifecycleResult Provisioner::test_server(int64_t server_id) {
    const Server server = repo_.get_server(server_id);
    const LoadedModule &module = host_.require(server.module);
    const CallInput in = server_call_input(server, module);
    const std::optional<CallOutcome> made =
        quarantine().call(module, in, [&] { return host_.invoke(module, Action::test_connection, in); });
    if (!made) {
        LifecycleResult r;
        r.action = "test_connection";
        r.status = PROVISIO_RETRYABLE;
        r.message = quarantine().why_skipped(module.name());
        r.called_module = false;
        return r;
    }
    const CallOutcome &outcome = *made;
    Database &db = repo_.database();
    Transaction tx(db);
    record_call(db, repo_.now_text(), module.name(), std::nullopt, server.id, "test_connection", outcome);
    tx.commit();
    LifecycleResult r;
    r.action = "test_connection";
    r.status = outcome.status;
    r.message = outcome.message;
    return r;
}

std::vector<QueueRetryResult> Provisioner::retry_queue(std::optional<int64_t> queue_id) {
    std::vector<QueueItem> items;
    Database &db = repo_.database();
    if (queue_id) {
        auto item = get_queue_item(db, *queue_id);
        if (!item) fail(ErrorKind::not_found, "queue item " + std::to_string(*queue_id) + " does not exist");
        if (item->resolved_at)
            fail(ErrorKind::refused, "queue item " + std::to_string(*queue_id) + " was already resolved (" +
                                         item->outcome.value_or("") + ")");
        items.push_back(*item);
    } else {
        items = list_queue(db, false);
    }
    std::vector<QueueRetryResult> out;
    for (const auto &item : items) {
        QueueRetryResult qr;
        qr.queue_id = item.id;
        const auto action = action_from_name(item.action);
        if (item.parked_at) {
            // Not run. A parked call the service has outgrown is closed all the same.
            std::optional<std::string> outgrown;
            try {
                if (action) outgrown = transition_refusal(*action, repo_.get_service(item.service_id).status);
            } catch (const Error &) {
            }
            if (outgrown) {
                qr.note = "service " + std::to_string(item.service_id) + ": " + *outgrown;
                Transaction tx(db);
                resolve_queued(db, item.service_id, item.action, "obsolete", qr.note, repo_.now_text());
                tx.commit();
                qr.obsolete = true;
            } else {
                qr.parked = true;
                qr.note = item.action + " of service " + std::to_string(item.service_id) + " is parked (since " +
                          item.parked_at.value_or("") + ": " + item.parked_reason +
                          "); it is not run again until an operator runs: provisio queue release " + std::to_string(item.id);
            }
            out.push_back(std::move(qr));
            continue;
        }
        try {
            if (!action) fail(ErrorKind::refused, "unknown action '" + item.action + "'");
            qr.result = run(item.service_id, *action, {item.reason, std::nullopt, item.requested_by});
        } catch (const Error &e) {
            qr.note = e.what();
            if (e.kind() == ErrorKind::refused) {
                // The service moved on since the call was queued: it no longer makes sense.
                Transaction tx(db);
                resolve_queued(db, item.service_id, item.action, "obsolete", e.what(), repo_.now_text());
                tx.commit();
                qr.obsolete = true;
            }
        }
        out.push_back(std::move(qr));
    }
    return out;
}

}  // namespace provisio
