#include "provisioning/state_machine.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

TEST_CASE("the lifecycle state machine allows exactly the documented transitions") {
    CHECK_FALSE(transition_refusal(Action::create, "Pending"));
    CHECK(status_after(Action::create, "Pending") == "Active");
    CHECK(transition_refusal(Action::create, "Active"));
    CHECK_FALSE(transition_refusal(Action::suspend, "Active"));
    CHECK(status_after(Action::suspend, "Active") == "Suspended");
    CHECK(transition_refusal(Action::suspend, "Suspended"));
    CHECK(transition_refusal(Action::suspend, "Pending"));
    CHECK_FALSE(transition_refusal(Action::unsuspend, "Suspended"));
    CHECK(transition_refusal(Action::unsuspend, "Active"));
    CHECK_FALSE(transition_refusal(Action::terminate, "Suspended"));
    CHECK(status_after(Action::terminate, "Suspended") == "Terminated");
    CHECK(transition_refusal(Action::terminate, "Terminated"));
    CHECK(transition_refusal(Action::terminate, "Pending"));
    CHECK(transition_refusal(Action::change_package, "Terminated"));
    CHECK(status_after(Action::change_package, "Suspended") == "Suspended");
    CHECK_FALSE(transition_refusal(Action::test_connection, "Cancelled"));
}

TEST_CASE("a refusal says what was needed and what the service is") {
    CHECK(*transition_refusal(Action::suspend, "Terminated") == "suspend needs a service that is Active, and this one is Terminated");
    CHECK(*transition_refusal(Action::terminate, "Pending") ==
          "terminate needs a service that is Active or Suspended, and this one is Pending");
}
