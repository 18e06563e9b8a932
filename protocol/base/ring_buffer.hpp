// A contiguous double-ended queue with power-of-two capacity. It allocates only when it
// grows past its largest size so far, so queues that reach a steady size stop allocating.
#pragma once

#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

namespace kcpkit {

template <class T>
class RingBuffer {
  public:
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    std::size_t capacity() const { return slots_.size(); }

    T& operator[](std::size_t i) { return slots_[(head_ + i) & mask()]; }
    const T& operator[](std::size_t i) const { return slots_[(head_ + i) & mask()]; }
    T& front() { return (*this)[0]; }
    T& back() { return (*this)[size_ - 1]; }
    const T& front() const { return (*this)[0]; }
    const T& back() const { return (*this)[size_ - 1]; }

    void reserve(std::size_t n) {
        if (n > slots_.size()) regrow(n);
    }

    void push_back(T value) {
        if (size_ == slots_.size()) regrow(size_ + 1);
        slots_[(head_ + size_) & mask()] = std::move(value);
        ++size_;
    }

    /// Removes and returns the first element.
    T pop_front() {
        assert(size_ > 0);
        T value = std::move(slots_[head_]);
        head_ = (head_ + 1) & mask();
        --size_;
        return value;
    }

    /// Removes and returns the last element.
    T pop_back() {
        assert(size_ > 0);
        --size_;
        return std::move(slots_[(head_ + size_) & mask()]);
    }

    /// Appends default-constructed elements until size() == n.
    void grow_to(std::size_t n) {
        while (size_ < n) push_back(T{});
    }

    void clear() {
        head_ = 0;
        size_ = 0;
    }

  private:
    std::size_t mask() const { return slots_.size() - 1; }

    void regrow(std::size_t at_least) {
        std::size_t cap = slots_.empty() ? 8 : slots_.size();
        while (cap < at_least) cap *= 2;
        std::vector<T> next(cap);
        for (std::size_t i = 0; i < size_; ++i) next[i] = std::move((*this)[i]);
        slots_ = std::move(next);
        head_ = 0;
    }

    std::vector<T> slots_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace kcpkit
