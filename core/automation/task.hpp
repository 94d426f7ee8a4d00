// A cron task: a name, when it is due, and what it does. Adding a task is one file in tasks/
// that defines the task and registers it with PROVISIO_REGISTER_TASK.
#pragma once

#include "foundation/calendar.hpp"

#include <functional>
#include <string>
#include <vector>

namespace provisio {

class Database;
class Repository;
class ModuleHost;
class Provisioner;
class Quarantine;
struct Config;

enum class Schedule {
    every_run,  // each `provisio cron` (system cron calls it every five minutes)
    daily       // once per business day, on the first run after [cron] daily_hour
};

// What a task gets to work with.
struct TaskContext {
    Database &db;
    Repository &repo;
    const ModuleHost &modules;
    Quarantine &quarantine;  // every module call of the run goes through it (provisioning/quarantine.hpp)
    const Config &config;
    std::string now;     // UTC timestamp text for rows
    Date today;          // business date
    bool dry_run = false;
};

// A Provisioner for a task's lifecycle calls: the business date, the run's Quarantine, and the
// last usage collection before a terminate (Provisioner::collect_usage_before_terminate).
Provisioner task_provisioner(TaskContext &ctx);

// What a task reports: how many things it did, and the ones that went wrong.
struct TaskResult {
    int done = 0;
    std::vector<std::string> lines;   // what it did, for --verbose and history
    std::vector<std::string> errors;  // what failed; the task went on with the rest
};

struct Task {
    std::string name;
    std::string description;
    Schedule schedule = Schedule::daily;
    int order = 100;  // tasks run in ascending order
    std::function<TaskResult(TaskContext &)> run;
    // When the operator chooses the schedule (e.g. [usage] autobill); empty: `schedule`.
    std::function<Schedule(const Config &)> configured_schedule;
};

// Every registered task, in run order.
std::vector<const Task *> registered_tasks();
// The task's schedule under this configuration.
Schedule schedule_of(const Task &task, const Config &config);

struct TaskRegistration {
    explicit TaskRegistration(Task task);
};

}  // namespace provisio

#define PROVISIO_TASK_CONCAT2(a, b) a##b
#define PROVISIO_TASK_CONCAT(a, b) PROVISIO_TASK_CONCAT2(a, b)
// Registers a task at start-up; use once per task, at namespace scope.
#define PROVISIO_REGISTER_TASK(...) \
    static const ::provisio::TaskRegistration PROVISIO_TASK_CONCAT(task_registration_, __LINE__){__VA_ARGS__};
