#include "net/udp_socket.hpp"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace kcpkit::net {

namespace {
std::atomic<std::uint64_t> send_drops{0};
std::atomic<std::uint64_t> send_oversize{0};
}  // namespace

std::uint64_t total_send_drops() {
    return send_drops.load(std::memory_order_relaxed);
}

std::uint64_t total_send_oversize() {
    return send_oversize.load(std::memory_order_relaxed);
}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

void UdpSocket::reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
}

UdpSocket UdpSocket::bind(const Address& local, bool reuse_port, std::string* error) {
    const int fd = socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (error) *error = std::string("socket: ") + std::strerror(errno);
        return {};
    }
    UdpSocket sock(fd);
    const int one = 1;
    if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        if (error) *error = std::string("SO_REUSEPORT: ") + std::strerror(errno);
        return {};
    }
    if (::bind(fd, local.sockaddr_ptr(), local.length()) != 0) {
        if (error) *error = "bind " + local.to_string() + ": " + std::strerror(errno);
        return {};
    }
    return sock;
}

Address UdpSocket::local_address() const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return Address(reinterpret_cast<sockaddr*>(&ss), len);
}

bool UdpSocket::set_read_buffer(int bytes) {
    return setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) == 0;
}

bool UdpSocket::set_write_buffer(int bytes) {
    return setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) == 0;
}

bool UdpSocket::set_dscp(int dscp) {
    if (local_address().family() == AF_INET6) {
        return setsockopt(fd_, IPPROTO_IPV6, IPV6_TCLASS, &dscp, sizeof dscp) == 0;
    }
    const int tos = dscp << 2;
    return setsockopt(fd_, IPPROTO_IP, IP_TOS, &tos, sizeof tos) == 0;
}

// ----- RecvBatch -------------------------------------------------------------------------

RecvBatch::RecvBatch(std::size_t count, std::size_t capacity)
    : capacity_(capacity),
      storage_(new std::uint8_t[count * capacity]),
      sources_(count),
      iovecs_(count),
      headers_(count) {}

int RecvBatch::receive(int fd) {
    for (std::size_t i = 0; i < headers_.size(); ++i) {
        iovecs_[i] = {storage_.get() + i * capacity_, capacity_};
        msghdr& h = headers_[i].msg_hdr;
        h = {};
        h.msg_name = sources_[i].sockaddr_ptr();
        h.msg_namelen = Address::capacity();
        h.msg_iov = &iovecs_[i];
        h.msg_iovlen = 1;
        headers_[i].msg_len = 0;
    }
    const int n = recvmmsg(fd, headers_.data(), static_cast<unsigned>(headers_.size()),
                           MSG_DONTWAIT, nullptr);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    for (int i = 0; i < n; ++i) {
        auto& src = sources_[static_cast<std::size_t>(i)];
        *src.length_ptr() = headers_[static_cast<std::size_t>(i)].msg_hdr.msg_namelen;
    }
    return n;
}

std::span<std::uint8_t> RecvBatch::data(int i) {
    const auto k = static_cast<std::size_t>(i);
    return {storage_.get() + k * capacity_, headers_[k].msg_len};
}

// ----- SendBatch -------------------------------------------------------------------------

SendBatch::SendBatch(std::size_t count, std::size_t capacity)
    : count_(count),
      capacity_(capacity),
      storage_(new std::uint8_t[count * capacity]),
      targets_(count),
      iovecs_(count),
      headers_(count) {}

void SendBatch::commit(std::size_t length, int fd, const Address& to) {
    if (length > capacity_) {
        ++counters_.oversize;
        send_oversize.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (pending_ > 0 && fd != fd_) {
        // The datagram sits in slot `pending_`, which flush() does not touch: send the
        // others, then move it to the front.
        std::uint8_t* const written = slot_ptr(pending_);
        flush();
        std::memmove(slot_ptr(0), written, length);
    }
    fd_ = fd;
    targets_[pending_] = to;
    iovecs_[pending_] = {slot_ptr(pending_), length};
    ++pending_;
    if (pending_ == count_) flush();
}

void SendBatch::queue(std::span<const std::uint8_t> datagram, int fd, const Address& to) {
    if (datagram.size() > capacity_) {
        commit(datagram.size(), fd, to);  // counts it
        return;
    }
    if (pending_ > 0 && fd != fd_) flush();
    std::memcpy(slot_ptr(pending_), datagram.data(), datagram.size());
    commit(datagram.size(), fd, to);
}

void SendBatch::flush() {
    std::size_t done = 0;
    for (std::size_t i = 0; i < pending_; ++i) {
        msghdr& h = headers_[i].msg_hdr;
        h = {};
        h.msg_name = const_cast<sockaddr*>(targets_[i].sockaddr_ptr());
        h.msg_namelen = targets_[i].length();
        h.msg_iov = &iovecs_[i];
        h.msg_iovlen = 1;
    }
    while (done < pending_) {
        const int n = sendmmsg(fd_, headers_.data() + done, static_cast<unsigned>(pending_ - done),
                               MSG_DONTWAIT);
        if (n > 0) {
            for (std::size_t i = done; i < done + static_cast<std::size_t>(n); ++i) {
                counters_.bytes += iovecs_[i].iov_len;
            }
            counters_.datagrams += static_cast<std::uint64_t>(n);
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        counters_.last_error = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
            // Socket buffer full: KCP retransmits what is lost here.
            counters_.dropped += pending_ - done;
            send_drops.fetch_add(pending_ - done, std::memory_order_relaxed);
            break;
        }
        ++counters_.dropped;  // this one datagram is refused (e.g. bad address); go on
        send_drops.fetch_add(1, std::memory_order_relaxed);
        ++done;
    }
    pending_ = 0;
}

void SendBatch::drain_counters(SendCounters& into) {
    into.datagrams += counters_.datagrams;
    into.bytes += counters_.bytes;
    into.dropped += counters_.dropped;
    into.oversize += counters_.oversize;
    if (counters_.last_error != 0) into.last_error = counters_.last_error;
    counters_ = {};
}

SendBatch& thread_send_batch() {
    thread_local SendBatch batch;
    return batch;
}

}  // namespace kcpkit::net
