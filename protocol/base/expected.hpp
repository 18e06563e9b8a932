// "A value, or why there is none": the one shape every layer's constructor (make_* /
// create) returns, with the layer's ConfigError as the reason. A subset of C++23's
// std::expected under the same names (has_value, value, error, operator*, operator->), so
// moving to std::expected later is a rename:
//
//     Expected<std::unique_ptr<Framer>, ConfigError> made = Framer::create(config);
//     if (!made) return name_of(made.error());   // refused: say why, change the config
//     std::unique_ptr<Framer> framer = std::move(made).value();
//
// Failures are made with Unexpected(reason). Accessing the value of a failure (or the
// error of a success) is a precondition violation (asserted in debug builds).
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace kcpkit {

/// The failure side of an Expected (std::unexpected).
template <typename E>
class Unexpected {
  public:
    constexpr explicit Unexpected(E error) : error_(std::move(error)) {}
    constexpr const E& error() const { return error_; }

  private:
    E error_;
};

template <typename T, typename E>
class Expected {
  public:
    /// A success, from anything T is made of (e.g. a unique_ptr to a derived class).
    template <typename U = T>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, Expected> &&
             !std::is_same_v<std::remove_cvref_t<U>, Unexpected<E>>) constexpr Expected(U&& value)
        : state_(std::in_place_index<0>, std::forward<U>(value)) {}
    template <typename G>
    requires std::is_convertible_v<const G&, E>
    constexpr Expected(const Unexpected<G>& failure)
        : state_(std::in_place_index<1>, E(failure.error())) {}

    constexpr bool has_value() const { return state_.index() == 0; }
    constexpr explicit operator bool() const { return has_value(); }

    constexpr T& value() & {
        assert(has_value());
        return *std::get_if<0>(&state_);
    }
    constexpr const T& value() const& {
        assert(has_value());
        return *std::get_if<0>(&state_);
    }
    constexpr T&& value() && {
        assert(has_value());
        return std::move(*std::get_if<0>(&state_));
    }
    constexpr T& operator*() & { return value(); }
    constexpr const T& operator*() const& { return value(); }
    constexpr T&& operator*() && { return std::move(*this).value(); }
    constexpr T* operator->() { return &value(); }
    constexpr const T* operator->() const { return &value(); }

    constexpr const E& error() const {
        assert(!has_value());
        return *std::get_if<1>(&state_);
    }

  private:
    std::variant<T, E> state_;
};

}  // namespace kcpkit
