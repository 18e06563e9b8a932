#include "kcpkit/net/event_loop.hpp"

#include "kcpkit/net/udp_socket.hpp"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <stdexcept>
#include <string>

namespace kcpkit::net {

namespace {
constexpr int kMaxEvents = 64;
// Sentinel `data` for the wake-up eventfd (watchers are stored as pointers).
constexpr std::uint64_t kWakeTag = 0;
thread_local EventLoop* current_loop = nullptr;
}  // namespace

EventLoop* EventLoop::current() {
    return current_loop;
}

EventLoop::EventLoop() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error("epoll/eventfd creation failed");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
    close(wake_fd_);
    close(epoll_fd_);
}

std::uint64_t EventLoop::now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000u +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1000000u;
}

void EventLoop::stop() {
    stopping_.store(true);
    post([] {});
}

void EventLoop::post(std::function<void()> task) {
    bool was_empty = false;
    {
        std::lock_guard lock(tasks_mutex_);
        was_empty = tasks_.empty();
        tasks_.push_back(std::move(task));
    }
    if (was_empty) {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
    }
}

bool EventLoop::watch(int fd, Watcher* watcher) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = watcher;
    return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::unwatch(int fd) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::run() {
    thread_id_.store(std::this_thread::get_id());
    current_loop = this;
    epoll_event events[kMaxEvents];
    while (!stopping_.load(std::memory_order_relaxed)) {
        const int n = epoll_wait(epoll_fd_, events, kMaxEvents, wait_timeout_ms());
        for (int i = 0; i < n; ++i) {
            if (events[i].data.u64 == kWakeTag) {
                std::uint64_t count = 0;
                [[maybe_unused]] auto r = read(wake_fd_, &count, sizeof count);
                continue;
            }
            static_cast<Watcher*>(events[i].data.ptr)->on_readable();
        }
        run_tasks();
        run_due_timers();
        if (iteration_hook_) iteration_hook_();
    }
    run_tasks();
}

void EventLoop::run_tasks() {
    {
        std::lock_guard lock(tasks_mutex_);
        running_tasks_.swap(tasks_);
    }
    for (auto& task : running_tasks_) task();
    running_tasks_.clear();
}

int EventLoop::wait_timeout_ms() const {
    {
        std::lock_guard lock(tasks_mutex_);
        if (!tasks_.empty()) return 0;
    }
    if (heap_.empty()) return 1000;
    const std::uint64_t now = now_ms();
    const std::uint64_t due = heap_.front()->due_ms_;
    if (due <= now) return 0;
    return static_cast<int>(std::min<std::uint64_t>(due - now, 1000));
}

void EventLoop::run_due_timers() {
    const std::uint64_t now = now_ms();
    while (!heap_.empty() && heap_.front()->due_ms_ <= now) {
        Timer* timer = heap_.front();
        remove_at(0);
        timer->on_timer();  // may reschedule itself
    }
}

// ----- timer heap ------------------------------------------------------------------------

void EventLoop::schedule(Timer& timer, std::uint64_t due_ms) {
    if (timer.scheduled()) {
        const std::uint64_t old = timer.due_ms_;
        timer.due_ms_ = due_ms;
        if (due_ms < old) {
            sift_up(timer.heap_index_);
        } else {
            sift_down(timer.heap_index_);
        }
        return;
    }
    timer.due_ms_ = due_ms;
    heap_.push_back(&timer);
    timer.heap_index_ = heap_.size() - 1;
    sift_up(timer.heap_index_);
}

void EventLoop::cancel(Timer& timer) {
    if (timer.scheduled()) remove_at(timer.heap_index_);
}

void EventLoop::place(std::size_t i, Timer* timer) {
    heap_[i] = timer;
    timer->heap_index_ = i;
}

void EventLoop::remove_at(std::size_t i) {
    Timer* removed = heap_[i];
    Timer* last = heap_.back();
    heap_.pop_back();
    removed->heap_index_ = Timer::kNotScheduled;
    if (i == heap_.size()) return;
    place(i, last);
    sift_up(i);
    sift_down(last->heap_index_);
}

void EventLoop::sift_up(std::size_t i) {
    Timer* timer = heap_[i];
    while (i > 0) {
        const std::size_t parent = (i - 1) / 2;
        if (heap_[parent]->due_ms_ <= timer->due_ms_) break;
        place(i, heap_[parent]);
        i = parent;
    }
    place(i, timer);
}

void EventLoop::sift_down(std::size_t i) {
    Timer* timer = heap_[i];
    const std::size_t n = heap_.size();
    while (true) {
        std::size_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && heap_[child + 1]->due_ms_ < heap_[child]->due_ms_) ++child;
        if (heap_[child]->due_ms_ >= timer->due_ms_) break;
        place(i, heap_[child]);
        i = child;
    }
    place(i, timer);
}

// ----- LoopGroup -------------------------------------------------------------------------

LoopGroup::LoopGroup(std::size_t threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < threads; ++i) {
        loops_.push_back(std::make_unique<EventLoop>());
        // Datagrams sessions produced during the iteration leave in sendmmsg batches.
        loops_.back()->set_iteration_hook([] { thread_send_batch().flush(); });
    }
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        threads_.emplace_back([l = loops_[i].get(), i] {
            // Named, so top -H and perf tell the loops apart from application threads.
            const std::string name = "kcp-loop-" + std::to_string(i);
            pthread_setname_np(pthread_self(), name.c_str());
            l->run();
        });
    }
}

LoopGroup::~LoopGroup() {
    for (auto& loop : loops_) loop->stop();
    for (auto& t : threads_) t.join();
}

EventLoop& LoopGroup::next() {
    return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

LoopGroup& default_loop_group(std::size_t threads) {
    static LoopGroup group(threads);
    return group;
}

}  // namespace kcpkit::net
