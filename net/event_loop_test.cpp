#define BOOST_TEST_MODULE event_loop
#include "kcpkit/net/event_loop.hpp"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>
#include <random>
#include <thread>
#include <vector>

#include "kcpkit/net/address.hpp"

using namespace kcpkit::net;
using namespace std::chrono_literals;

namespace {

struct RecordingTimer final : EventLoop::Timer {
    RecordingTimer(std::vector<int>& log, int id) : log_(log), id_(id) {}
    void on_timer() override { log_.push_back(id_); }
    std::vector<int>& log_;
    int id_;
};

/// Runs `fn` on a loop thread and waits for it.
template <class F>
void on_loop(EventLoop& loop, F fn) {
    std::promise<void> done;
    loop.post([&] {
        fn();
        done.set_value();
    });
    BOOST_REQUIRE(done.get_future().wait_for(5s) == std::future_status::ready);  // main thread
}

}  // namespace

BOOST_AUTO_TEST_CASE(timers_fire_in_due_order_and_cancel_and_reschedule) {
    // The loop thread only records; Boost.Test checks run on this thread (it is not
    // thread-safe).
    LoopGroup group(1);
    EventLoop& loop = group.at(0);
    std::vector<int> log;
    std::vector<std::unique_ptr<RecordingTimer>> timers;
    for (int i = 0; i < 50; ++i) timers.push_back(std::make_unique<RecordingTimer>(log, i));
    std::mt19937 rng(3);
    std::vector<std::uint64_t> offsets(50);
    bool cancelled_unscheduled = false;
    std::size_t count_after_setup = 0, count_at_end = 1;
    on_loop(loop, [&] {
        const std::uint64_t now = EventLoop::now_ms();
        for (std::size_t i = 0; i < 50; ++i) {
            offsets[i] = 20 + rng() % 200;
            loop.schedule(*timers[i], now + offsets[i]);
        }
        loop.cancel(*timers[7]);             // never fires
        loop.schedule(*timers[9], now + 1);  // moved earlier: fires first
        offsets[9] = 1;
        loop.schedule(*timers[11], now + 400);  // moved later: fires last
        offsets[11] = 400;
        cancelled_unscheduled = !timers[7]->scheduled();
        count_after_setup = loop.timer_count();
    });
    BOOST_CHECK(cancelled_unscheduled);
    BOOST_CHECK_EQUAL(count_after_setup, 49u);
    std::this_thread::sleep_for(600ms);
    on_loop(loop, [&] { count_at_end = loop.timer_count(); });
    BOOST_CHECK_EQUAL(count_at_end, 0u);
    BOOST_REQUIRE_EQUAL(log.size(), 49u);
    BOOST_CHECK_EQUAL(log.front(), 9);
    BOOST_CHECK_EQUAL(log.back(), 11);
    for (std::size_t i = 1; i < log.size(); ++i) {
        BOOST_CHECK_LE(offsets[static_cast<std::size_t>(log[i - 1])],
                       offsets[static_cast<std::size_t>(log[i])]);
    }
    BOOST_CHECK(std::find(log.begin(), log.end(), 7) == log.end());
}

BOOST_AUTO_TEST_CASE(posted_tasks_run_in_order_on_the_loop_thread) {
    LoopGroup group(2);
    std::vector<int> order;
    std::atomic<bool> wrong_thread{false};
    for (int i = 0; i < 1000; ++i) {
        group.at(1).post([&, i] {
            if (!group.at(1).in_loop_thread() || EventLoop::current() != &group.at(1)) {
                wrong_thread = true;
            }
            order.push_back(i);
        });
    }
    on_loop(group.at(1), [] {});
    BOOST_CHECK(!wrong_thread.load());
    BOOST_REQUIRE_EQUAL(order.size(), 1000u);
    for (int i = 0; i < 1000; ++i) BOOST_CHECK_EQUAL(order[static_cast<std::size_t>(i)], i);
    BOOST_CHECK(EventLoop::current() == nullptr);
}

BOOST_AUTO_TEST_CASE(a_timer_wakes_an_idle_loop_on_time) {
    LoopGroup group(1);
    std::vector<int> log;
    RecordingTimer t(log, 1);
    std::atomic<std::uint64_t> fired_at{0};
    struct Stamp final : EventLoop::Timer {
        std::atomic<std::uint64_t>* at;
        void on_timer() override { *at = EventLoop::now_ms(); }
    } stamp;
    stamp.at = &fired_at;
    std::uint64_t due = 0;
    on_loop(group.at(0), [&] {
        due = EventLoop::now_ms() + 150;
        group.at(0).schedule(stamp, due);
    });
    std::this_thread::sleep_for(400ms);
    BOOST_CHECK_GE(fired_at.load(), due);
    BOOST_CHECK_LE(fired_at.load(), due + 50);
}

BOOST_AUTO_TEST_CASE(addresses_parse_print_and_key) {
    const auto v4 = Address::parse("127.0.0.1:29900");
    BOOST_REQUIRE(v4);
    BOOST_CHECK_EQUAL(v4->to_string(), "127.0.0.1:29900");
    BOOST_CHECK_EQUAL(v4->port(), 29900);
    BOOST_CHECK(v4->is_loopback());
    const auto v6 = Address::parse("[::1]:5");
    BOOST_REQUIRE(v6);
    BOOST_CHECK_EQUAL(v6->to_string(), "[::1]:5");
    BOOST_CHECK(v6->is_loopback());
    BOOST_CHECK(!(*v4 == *v6));
    BOOST_CHECK(*Address::parse("127.0.0.1:29900") == *v4);
    BOOST_CHECK(!(*Address::parse("127.0.0.1:29901") == *v4));
    BOOST_CHECK_EQUAL(AddressHash{}(*v4), AddressHash{}(*Address::parse("127.0.0.1:29900")));
    const auto any = Address::parse(":0");
    BOOST_REQUIRE(any);
    BOOST_CHECK_EQUAL(any->to_string(), "0.0.0.0:0");
    BOOST_CHECK(!Address::parse("no-port"));
    BOOST_CHECK(!Address::parse("1.2.3.4:"));
    BOOST_CHECK(!Address::parse("1.2.3.4:notaport"));
    BOOST_CHECK(!Address::parse("300.1.1.1:5"));
}
