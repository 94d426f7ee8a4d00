// stripe-sim: the Stripe API simulator as a command, for scripts/try and for trying the stripe
// module by hand. Serves until interrupted; with --webhook, sends each event to it as it happens.
#include "stripe_sim.hpp"

#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

namespace {

void usage(std::ostream &out) {
    out << "usage: stripe-sim [--port N] [--key SK] [--webhook-secret WHSEC] [--webhook URL] [--cards N] [--fault SPEC]\n"
           "  Serves a Stripe-like API (https://docs.stripe.com/api shapes) on http://127.0.0.1 (port 0: a free one)\n"
           "  and prints its URL.\n"
           "  --key SK               the secret key clients must send (default sk_test_provisio)\n"
           "  --webhook-secret WHSEC  what events are signed with (default whsec_provisio)\n"
           "  --webhook URL          where events are posted, signed, as they happen (e.g.\n"
           "                         http://127.0.0.1:8080/hooks/payments/stripe); without it, none are sent\n"
           "  --cards N              start with customers cus_sim1..N, each with a Visa card pm_sim1..N\n"
           "  --fault KIND[:MS[:COUNT]]  start with a fault on every request (or COUNT of them), e.g. latency:100\n"
           "  Hosted payments: open a session's url (/c/pay/cs_...) and press Pay.\n"
           "  Test cards: pm_card_visa, pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds,\n"
           "              pm_card_authenticationRequired\n"
           "  Requests so far: GET /_sim/requests\n";
}

}  // namespace

int main(int argc, char **argv) {
    unsigned short port = 0;
    std::string key = "sk_test_provisio", secret = "whsec_provisio", webhook;
    int cards = 0;
    std::optional<provisio::sims::Fault> fault;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
            return argv[++i];
        };
        try {
            if (a == "--help" || a == "-h") {
                usage(std::cout);
                return 0;
            } else if (a == "--port") {
                port = static_cast<unsigned short>(std::stoi(value()));
            } else if (a == "--key") {
                key = value();
            } else if (a == "--webhook-secret") {
                secret = value();
            } else if (a == "--webhook") {
                webhook = value();
            } else if (a == "--cards") {
                cards = std::stoi(value());
            } else if (a == "--fault") {
                fault = provisio::sims::parse_fault(value());
            } else {
                std::cerr << "stripe-sim: unknown argument " << a << "\n";
                usage(std::cerr);
                return 2;
            }
        } catch (const std::exception &e) {
            std::cerr << "stripe-sim: " << e.what() << "\n";
            return 2;
        }
    }
    provisio::sims::StripeSim sim(key, secret, port);
    if (!webhook.empty()) sim.set_webhook_endpoint(webhook);
    if (cards > 0) sim.seed_cards(cards);
    if (fault) sim.inject(*fault);
    std::atomic<bool> running{true};
    std::thread sender([&] {
        while (running) {
            if (!webhook.empty()) sim.deliver();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    const int rc = provisio::sims::serve_until_interrupted("stripe-sim listening on " + sim.url("/"));
    running = false;
    sender.join();
    return rc;
}
