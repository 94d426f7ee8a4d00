#include "payments/gateways.hpp"

#include "config/config.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/quarantine.hpp"

#include <limits>

namespace provisio {

GatewayAccount gateway_account(Repository &repo, const ModuleHost &modules, std::string_view name) {
    GatewayAccount a;
    a.server = repo.find_server(name);
    const LoadedModule *module = modules.find(a.server.module);
    if (!module) fail(ErrorKind::refused, "gateway '" + a.server.name + "' uses module " + a.server.module + ", which is not loaded (provisio module list)");
    if (!module->description.is_gateway())
        fail(ErrorKind::refused, "server '" + a.server.name + "' uses module " + a.server.module + ", which is not a payment gateway");
    a.module = module;
    a.input = server_call_input(a.server, *module);
    return a;
}

std::string gateway_name(const Config &config, const std::optional<std::string> &given, std::string_view flag) {
    if (given && !given->empty()) return *given;
    if (!config.payments.gateway.empty()) return config.payments.gateway;
    fail(ErrorKind::invalid_input, "no payment gateway: pass " + std::string(flag) +
                                       " NAME, or set [payments] gateway to a server record of a gateway module (e.g. stripe)");
}

namespace {
int64_t scale_of(std::string_view currency) {
    int64_t scale = 1;
    for (int i = currency_decimals(currency); i < 6; ++i) scale *= 10;
    return scale;  // micro-units per minor unit
}
}  // namespace

int64_t minor_units(Money amount, std::string_view currency, std::string_view what) {
    if (amount.negative() || amount.zero()) fail(ErrorKind::invalid_input, std::string(what) + " " + amount.to_string() + " must be more than zero");
    const int64_t scale = scale_of(currency);
    if (amount.micros() % scale != 0)
        fail(ErrorKind::invalid_input, std::string(what) + " " + amount.to_string() + " has more decimal places than " + std::string(currency) +
                                           " has (" + std::to_string(currency_decimals(currency)) + "); a gateway takes whole " +
                                           std::string(currency) + " minor units");
    return amount.micros() / scale;
}

Money from_minor_units(int64_t minor, std::string_view currency) {
    const int64_t scale = scale_of(currency);
    if (minor > std::numeric_limits<int64_t>::max() / scale || minor < std::numeric_limits<int64_t>::min() / scale)
        fail(ErrorKind::invalid_input, "a gateway amount of " + std::to_string(minor) + " minor units is out of range");
    return Money::from_micros(minor * scale);
}

CallOutcome call_gateway(Quarantine &quarantine, const ModuleHost &modules, const GatewayAccount &account, const GatewayRequest &request) {
    std::optional<CallOutcome> made =
        quarantine.call(*account.module, account.input, [&] { return modules.invoke_payment(*account.module, account.input, request); });
    if (made) return std::move(*made);
    CallOutcome skipped;
    skipped.status = PROVISIO_RETRYABLE;
    skipped.message = quarantine.why_skipped(account.module->name());
    return skipped;
}

void log_gateway_call(Database &db, const std::string &now, const GatewayAccount &account, GatewayOp op, const CallOutcome &outcome) {
    record_call(db, now, account.module->name(), std::nullopt, account.server.id, gateway_op_name(op), outcome);
}

}  // namespace provisio
