#include "provisioning/state_machine.hpp"

#include "foundation/error.hpp"

#include <initializer_list>

namespace provisio {

namespace {

struct Rule {
    Action action;
    std::initializer_list<const char *> from;
    const char *to;  // nullptr: unchanged
};

const Rule rules[] = {
    {Action::create, {status::pending}, status::active},
    {Action::suspend, {status::active}, status::suspended},
    {Action::unsuspend, {status::suspended}, status::active},
    {Action::terminate, {status::active, status::suspended}, status::terminated},
    {Action::change_package, {status::active, status::suspended}, nullptr},
    {Action::change_password, {status::active, status::suspended}, nullptr},
    {Action::test_connection, {}, nullptr},  // empty: any status
};

const Rule &rule_for(Action a) {
    for (const Rule &r : rules)
        if (r.action == a) return r;
    return rules[0];
}

}  // namespace

std::optional<std::string> transition_refusal(Action action, std::string_view current) {
    const Rule &r = rule_for(action);
    if (r.from.size() == 0) return std::nullopt;
    std::string allowed;
    for (const char *s : r.from) {
        if (current == s) return std::nullopt;
        allowed += (allowed.empty() ? "" : " or ") + std::string(s);
    }
    return std::string(action_name(action)) + " needs a service that is " + allowed + ", and this one is " +
           std::string(current);
}

std::string status_after(Action action, std::string_view current) {
    const Rule &r = rule_for(action);
    return r.to ? r.to : std::string(current);
}

void check_service_status(std::string_view value, std::string_view what) {
    for (const char *s : {status::pending, status::active, status::suspended, status::terminated, status::cancelled})
        if (value == s) return;
    fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(value) + "' is not Pending, Active, Suspended, Terminated or Cancelled");
}

}  // namespace provisio
