#include "automation/task.hpp"

#include "config/config.hpp"
#include "provisioning/lifecycle.hpp"

#include <algorithm>
#include <memory>

namespace provisio {

namespace {
std::vector<std::unique_ptr<Task>> &registry() {
    static std::vector<std::unique_ptr<Task>> tasks;
    return tasks;
}
}  // namespace

Provisioner task_provisioner(TaskContext &ctx) {
    Provisioner p(ctx.repo, ctx.modules, ctx.today);
    p.contain(ctx.quarantine).collect_usage_before_terminate(BusinessZone(ctx.config.timezone));
    return p;
}

TaskRegistration::TaskRegistration(Task task) { registry().push_back(std::make_unique<Task>(std::move(task))); }

std::vector<const Task *> registered_tasks() {
    std::vector<const Task *> out;
    for (const auto &t : registry()) out.push_back(t.get());
    std::stable_sort(out.begin(), out.end(), [](const Task *a, const Task *b) {
        return a->order != b->order ? a->order < b->order : a->name < b->name;
    });
    return out;
}

Schedule schedule_of(const Task &task, const Config &config) {
    return task.configured_schedule ? task.configured_schedule(config) : task.schedule;
}

}  // namespace provisio
