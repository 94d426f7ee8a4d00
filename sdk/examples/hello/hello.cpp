// hello — the smallest complete provisio module.
//
// It provisions nothing real: each lifecycle call records what it did in the service's module
// state and answers with a greeting, so an operator can watch the host drive a service through
// its lifecycle. test_connection shows the host's HTTP service when a ping URL is set.
#include <provisio/module.hpp>

#include <string>

namespace {

constexpr const char *moods[] = {"calm", "cheerful", "loud"};

class Hello {
public:
    static constexpr provisio::ModuleInfo info{"hello", "1.0.0", "Greets each service it provisions",
                                               PROVISIO_CAP_PROVISIONING};
    static constexpr provisio_option options[] = {
        provisio::text("greeting", "Greeting", "Hello", "Word the module greets a new service with"),
        provisio::dropdown("mood", "Mood", moods, "calm", "How the greeting is said"),
        provisio::yesno("remember", "Remember visits", true, "Count lifecycle calls in the module state"),
        provisio::text("ping_url", "Ping URL", "", "test_connection fetches this URL when set"),
    };

    explicit Hello(const provisio::Host &host) { host.log(PROVISIO_LOG_DEBUG, "hello module ready"); }

    provisio::Outcome create(provisio::Call &call) {
        std::string greeting = std::string(call.setting("greeting", "Hello")) + ", " +
                               std::string(call.service("domain", "stranger"));
        if (call.setting("mood") == "loud") greeting += "!";
        call.set_state("greeted", greeting);
        remember(call);
        return provisio::Outcome::success(greeting);
    }

    provisio::Outcome suspend(provisio::Call &call) {
        call.set_state("suspended_for", call.reason().empty() ? "no reason given" : call.reason());
        remember(call);
        return provisio::Outcome::success("sleeping");
    }

    provisio::Outcome unsuspend(provisio::Call &call) {
        call.erase_state("suspended_for");
        remember(call);
        return provisio::Outcome::success("awake again");
    }

    provisio::Outcome terminate(provisio::Call &call) {
        call.erase_state("greeted");
        remember(call);
        return provisio::Outcome::success("goodbye");
    }

    provisio::Outcome change_package(provisio::Call &call) {
        const std::string product(call.service("product_name"));
        call.set_state("package", product);
        remember(call);
        return provisio::Outcome::success("now on " + product);
    }

    provisio::Outcome test_connection(provisio::Call &call) {
        const std::string url(call.setting("ping_url"));
        if (url.empty()) return provisio::Outcome::success("nothing to connect to");
        const provisio::HttpResponse r = call.http({.method = "GET", .url = url});
        call.log_call("ping", "GET " + url, std::to_string(r.status) + " " + r.body);
        if (r.transport != provisio::Status::ok)
            return {r.transport, "ping failed: " + r.error};
        if (r.status != 200) return provisio::Outcome::failure("ping answered HTTP " + std::to_string(r.status));
        return provisio::Outcome::success("ping ok");
    }

private:
    static void remember(provisio::Call &call) {
        if (call.setting("remember", "yes") != "yes") return;
        const std::string visits = call.state("visits").value_or("0");
        call.set_state("visits", std::to_string(std::stoi(visits) + 1));
    }
};

}  // namespace

PROVISIO_MODULE(Hello)
