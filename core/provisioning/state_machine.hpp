// Which lifecycle actions a service's status allows, and the status each leads to.
//
//   create           Pending                -> Active
//   suspend          Active                 -> Suspended
//   unsuspend        Suspended              -> Active
//   terminate        Active, Suspended      -> Terminated
//   cancel           Pending                -> Cancelled (nothing to undo on the server)
//                    Active, Suspended      -> Cancelled (after the module's terminate)
//   change_package   Active, Suspended      (status unchanged)
//   change_password  Active, Suspended      (status unchanged)
//   test_connection  any                    (status unchanged)
#pragma once

#include "modulehost/module_host.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace provisio {

namespace status {
inline constexpr const char *pending = "Pending";
inline constexpr const char *active = "Active";
inline constexpr const char *suspended = "Suspended";
inline constexpr const char *terminated = "Terminated";
inline constexpr const char *cancelled = "Cancelled";
}  // namespace status

// A service status given as a filter (`what` names it: "--status", "query parameter status"):
// Error(invalid_input) unless it is one of the above, spelled as they are.
void check_service_status(std::string_view value, std::string_view what);

// nullopt when allowed; otherwise the sentence explaining why not.
std::optional<std::string> transition_refusal(Action action, std::string_view current_status);
// The status after `action` succeeds from `current_status`.
std::string status_after(Action action, std::string_view current_status);

}  // namespace provisio
