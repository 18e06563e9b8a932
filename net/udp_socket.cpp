#include "kcpkit/net/udp_socket.hpp"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
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

namespace {
#ifndef UDP_SEGMENT
constexpr int UDP_SEGMENT = 103;  // linux/udp.h, absent from older libc headers
#endif
constexpr std::size_t kMaxSegments = 64;     // the kernel's UDP_MAX_SEGMENTS
constexpr std::size_t kMaxGsoBytes = 65507;  // one IPv4 UDP payload
std::atomic<bool> gso_refused{false};        // the kernel said no once: plain sends
}  // namespace

void SendBatch::flush() {
    // Runs of equal-sized datagrams to one address (a flush's full segments) leave as one
    // UDP GSO message each: the kernel cuts the same datagrams, and the per-datagram send
    // path (route, IP output, loopback delivery) runs once per run instead of per datagram.
    const bool gso = !gso_refused.load(std::memory_order_relaxed);
    if (controls_.size() < pending_) controls_.resize(pending_);
    if (message_datagrams_.size() < pending_) message_datagrams_.resize(pending_);
    std::size_t messages = 0;
    for (std::size_t i = 0; i < pending_;) {
        const std::size_t segment = iovecs_[i].iov_len;
        std::size_t end = i + 1, bytes = segment;
        while (gso && end < pending_ && end - i < kMaxSegments &&
               bytes + iovecs_[end].iov_len <= kMaxGsoBytes && iovecs_[end].iov_len <= segment &&
               targets_[end] == targets_[i]) {
            bytes += iovecs_[end].iov_len;
            // Only the last datagram of a message may be shorter than the segment size.
            if (iovecs_[end++].iov_len < segment) break;
        }
        msghdr& h = headers_[messages].msg_hdr;
        h = {};
        h.msg_name = const_cast<sockaddr*>(targets_[i].sockaddr_ptr());
        h.msg_namelen = targets_[i].length();
        h.msg_iov = &iovecs_[i];
        h.msg_iovlen = end - i;
        if (end - i > 1) {
            auto& control = controls_[messages];
            control.fill(0);
            h.msg_control = control.data();
            h.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
            cmsghdr* c = CMSG_FIRSTHDR(&h);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
            const auto size = static_cast<std::uint16_t>(segment);
            std::memcpy(CMSG_DATA(c), &size, sizeof size);
        }
        message_datagrams_[messages++] = end - i;
        i = end;
    }
    std::size_t done = 0;
    const auto drop = [&](std::size_t message) {
        counters_.dropped += message_datagrams_[message];
        send_drops.fetch_add(message_datagrams_[message], std::memory_order_relaxed);
    };
    while (done < messages) {
        const int n = sendmmsg(fd_, headers_.data() + done, static_cast<unsigned>(messages - done),
                               MSG_DONTWAIT);
        if (n > 0) {
            for (std::size_t m = done; m < done + static_cast<std::size_t>(n); ++m) {
                counters_.bytes += headers_[m].msg_len;
                counters_.datagrams += message_datagrams_[m];
            }
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        counters_.last_error = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
            // Socket buffer full: KCP retransmits what is lost here.
            while (done < messages) drop(done++);
            break;
        }
        if (message_datagrams_[done] > 1 &&
            (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOPROTOOPT)) {
            // No UDP GSO here (old kernel, a device without checksum offload): send the
            // rest one datagram a message, now and from now on.
            gso_refused.store(true, std::memory_order_relaxed);
            std::size_t first = 0;
            for (std::size_t m = 0; m < done; ++m) first += message_datagrams_[m];
            std::copy(iovecs_.begin() + static_cast<std::ptrdiff_t>(first),
                      iovecs_.begin() + static_cast<std::ptrdiff_t>(pending_), iovecs_.begin());
            std::copy(targets_.begin() + static_cast<std::ptrdiff_t>(first),
                      targets_.begin() + static_cast<std::ptrdiff_t>(pending_), targets_.begin());
            pending_ -= first;
            flush();
            return;
        }
        drop(done++);  // this message is refused (e.g. bad address); go on
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
