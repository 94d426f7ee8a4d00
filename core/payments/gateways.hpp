// Payment gateway accounts and the calls made to them. An account is a server record whose module
// is a payment gateway (ABI 1.6): its hostname is the gateway's API, its password the secret key,
// its options the module's (a webhook secret), its max_concurrent the charges in flight at once.
// Amounts cross to the module in integer minor units of ISO 4217 currencies; an amount that is
// not a whole number of them is refused, never rounded.
#pragma once

#include "domain/repository.hpp"
#include "modulehost/module_host.hpp"
#include "money/money.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace provisio {

class Quarantine;
struct Config;

struct GatewayAccount {
    Server server;
    const LoadedModule *module = nullptr;
    CallInput input;  // the account as calls see it
    const std::string &name() const { return server.name; }
};

// The account named `name`: Error(not_found) for no such server record, Error(refused) when its
// module is not loaded or is not a payment gateway.
GatewayAccount gateway_account(Repository &repo, const ModuleHost &modules, std::string_view name);

// `given` when set, else [payments] gateway; Error(invalid_input) when neither names one.
std::string gateway_name(const Config &config, const std::optional<std::string> &given, std::string_view flag = "--gateway");

// `amount` in minor units of `currency` (2599 for 25.99 USD, 2599 for 2599 JPY). Error(invalid_input)
// naming `what` for an amount with more places than the currency has, or that is not positive.
int64_t minor_units(Money amount, std::string_view currency, std::string_view what);
Money from_minor_units(int64_t minor, std::string_view currency);

// One gateway call, through `quarantine` (a skipped module: a retryable outcome saying why). No
// database: safe on worker threads. The caller records it with log_gateway_call.
CallOutcome call_gateway(Quarantine &quarantine, const ModuleHost &modules, const GatewayAccount &account, const GatewayRequest &request);
void log_gateway_call(Database &db, const std::string &now, const GatewayAccount &account, GatewayOp op, const CallOutcome &outcome);

}  // namespace provisio
