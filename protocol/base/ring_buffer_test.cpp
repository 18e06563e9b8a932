#define BOOST_TEST_MODULE ring_buffer
#include "kcpkit/base/ring_buffer.hpp"

#include <boost/test/unit_test.hpp>
#include <deque>
#include <memory>
#include <random>

using kcpkit::RingBuffer;

BOOST_AUTO_TEST_CASE(behaves_like_a_deque_under_random_operations) {
    RingBuffer<int> ring;
    std::deque<int> model;
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        const auto op = rng() % 4;
        if (op < 2 || model.empty()) {
            ring.push_back(i);
            model.push_back(i);
        } else if (op == 2) {
            BOOST_REQUIRE_EQUAL(ring.pop_front(), model.front());
            model.pop_front();
        } else {
            BOOST_REQUIRE_EQUAL(ring.pop_back(), model.back());
            model.pop_back();
        }
        BOOST_REQUIRE_EQUAL(ring.size(), model.size());
        if (!model.empty()) {
            BOOST_REQUIRE_EQUAL(ring.front(), model.front());
            BOOST_REQUIRE_EQUAL(ring[model.size() / 2], model[model.size() / 2]);
        }
    }
}

BOOST_AUTO_TEST_CASE(stops_allocating_once_it_reached_its_size) {
    RingBuffer<int> ring;
    for (int i = 0; i < 100; ++i) ring.push_back(i);
    const auto cap = ring.capacity();
    for (int round = 0; round < 1000; ++round) {
        ring.pop_front();
        ring.push_back(round);
    }
    BOOST_TEST(ring.capacity() == cap);
    BOOST_TEST(ring.size() == 100u);
}

BOOST_AUTO_TEST_CASE(holds_move_only_values_and_grow_to_fills_defaults) {
    RingBuffer<std::unique_ptr<int>> ring;
    ring.grow_to(3);
    BOOST_TEST(ring.size() == 3u);
    BOOST_TEST(!ring[2]);
    ring.push_back(std::make_unique<int>(5));
    for (int i = 0; i < 3; ++i) ring.pop_front();
    BOOST_TEST(*ring.pop_front() == 5);
    BOOST_TEST(ring.empty());
}
