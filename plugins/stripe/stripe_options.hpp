// The stripe module's options. A Stripe account is a server record: hostname api.stripe.com (the
// simulator's address in tests), the secret key in its password, and these on the record.
#pragma once

#include <provisio/module.hpp>

struct StripeOptions {
    static constexpr provisio_option options[] = {
        provisio::on_server(provisio::password("webhook_secret", "Webhook signing secret",
                                               "The endpoint's signing secret (whsec_…) from Stripe's dashboard; webhooks "
                                               "whose Stripe-Signature does not verify with it are refused",
                                               PROVISIO_OPTION_REQUIRED)),
        provisio::on_server(provisio::number("tolerance_seconds", "Webhook tolerance (seconds)", "300",
                                             "How far a webhook's signed timestamp may be from now; Stripe's libraries use 300. 0: the "
                                             "signature alone is checked (a provisio whose clock is set with --now, as scripts/try's)")),
        provisio::on_server(provisio::text("api_version", "Stripe-Version",
                                           "", "Sent as the Stripe-Version header when set; empty: the account's default version")),
    };
};
