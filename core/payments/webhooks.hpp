// Gateway webhooks (POST /hooks/payments/NAME): the account's module checks the signature and
// says what the event reports; provisio stores the event under its id before anything else,
// then acts on it in one transaction that also marks it processed. A duplicate delivery finds it
// processed and changes nothing; a delivery whose processing failed (or that arrived before
// what it refers to, such as a dispute of a payment not yet recorded) is answered 5xx and left
// unprocessed, so the gateway's retry processes it.
#pragma once

#include "automation/task.hpp"
#include "modulehost/option_schema.hpp"

#include <string>

namespace provisio {

struct WebhookAnswer {
    int status = 200;     // what to answer the gateway: 2xx done (or ignored), 400 refused, 404, 5xx: send again
    std::string message;  // for the response body and the log
    bool duplicate = false;
    TaskResult after;     // what a settled invoice set off
};

// `headers`: the request's, names lower-cased; `body` byte for byte as received.
WebhookAnswer receive_webhook(TaskContext &ctx, const std::string &gateway, const Settings &headers, const std::string &body);

}  // namespace provisio
