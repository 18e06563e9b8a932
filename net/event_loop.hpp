// One epoll event loop per thread: file-descriptor readiness, timers in a binary heap
// keyed by due time (each session schedules exactly one timer at its core's next
// deadline), and tasks posted from other threads. LoopGroup owns a fixed set of loops,
// one thread each.
//
// Threads: everything except post(), stop() and now_ms() must be called on the loop's own
// thread (from a callback or a posted task). Callbacks run on that thread, one at a time.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kcpkit::net {

class EventLoop {
  public:
    /// Receives readiness of one file descriptor.
    class Watcher {
      public:
        virtual void on_readable() = 0;

      protected:
        ~Watcher() = default;
    };

    /// A timer that lives inside its owner (no allocation to schedule it).
    class Timer {
      public:
        bool scheduled() const { return heap_index_ != kNotScheduled; }
        std::uint64_t due_ms() const { return due_ms_; }
        virtual void on_timer() = 0;

      protected:
        ~Timer() = default;

      private:
        friend class EventLoop;
        static constexpr std::size_t kNotScheduled = static_cast<std::size_t>(-1);
        std::uint64_t due_ms_ = 0;
        std::size_t heap_index_ = kNotScheduled;
    };

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    /// Runs until stop(); the calling thread becomes the loop's thread.
    void run();
    /// Thread-safe; run() returns after the current iteration.
    void stop();
    /// Thread-safe; `task` runs on the loop's thread, in posting order.
    void post(std::function<void()> task);
    bool in_loop_thread() const { return std::this_thread::get_id() == thread_id_.load(); }
    /// The loop running on this thread, or nullptr on a thread that runs none.
    static EventLoop* current();

    /// Level-triggered readability of `fd` goes to `watcher` until unwatch(fd).
    bool watch(int fd, Watcher* watcher);
    void unwatch(int fd);

    /// (Re)schedules `timer` at `due_ms` (the now_ms() clock).
    void schedule(Timer& timer, std::uint64_t due_ms);
    void cancel(Timer& timer);
    std::size_t timer_count() const { return heap_.size(); }

    /// Called after each batch of events and timers (where batched sends are flushed).
    void set_iteration_hook(std::function<void()> hook) { iteration_hook_ = std::move(hook); }

    /// Monotonic milliseconds (CLOCK_MONOTONIC), the clock of every timer.
    static std::uint64_t now_ms();

  private:
    void run_tasks();
    void run_due_timers();
    int wait_timeout_ms() const;
    void sift_up(std::size_t i);
    void sift_down(std::size_t i);
    void place(std::size_t i, Timer* timer);
    void remove_at(std::size_t i);

    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<std::thread::id> thread_id_{};
    std::vector<Timer*> heap_;
    mutable std::mutex tasks_mutex_;
    std::vector<std::function<void()>> tasks_;
    std::vector<std::function<void()>> running_tasks_;
    std::function<void()> iteration_hook_;
};

/// A fixed number of loops, each on its own thread, started at construction and stopped and
/// joined at destruction.
class LoopGroup {
  public:
    /// threads == 0: one per core (std::thread::hardware_concurrency).
    explicit LoopGroup(std::size_t threads = 0);
    ~LoopGroup();
    LoopGroup(const LoopGroup&) = delete;
    LoopGroup& operator=(const LoopGroup&) = delete;

    std::size_t size() const { return loops_.size(); }
    EventLoop& at(std::size_t i) { return *loops_[i]; }
    /// Round-robin, for spreading client sessions.
    EventLoop& next();

  private:
    std::vector<std::unique_ptr<EventLoop>> loops_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0};
};

/// The process-wide group that dial() and listen() use unless given one. Created on first
/// use with `threads` (0: one per core); later calls ignore the argument.
LoopGroup& default_loop_group(std::size_t threads = 0);

}  // namespace kcpkit::net
