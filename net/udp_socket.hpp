// A non-blocking UDP socket and the two batching helpers every driver thread uses:
// RecvBatch (recvmmsg into fixed buffers) and SendBatch (datagrams written straight into
// fixed slots, sent with sendmmsg when the batch is full, the socket changes, or the
// caller flushes). Both allocate once, at construction.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kcpkit/net/address.hpp"

namespace kcpkit::net {

/// kcp-go reads into 1500-byte buffers and never sends more (mtuLimit).
inline constexpr std::size_t kMaxDatagram = 1500;

class UdpSocket {
  public:
    UdpSocket() = default;
    ~UdpSocket() { reset(); }
    UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    UdpSocket& operator=(UdpSocket&& other) noexcept;
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    /// A non-blocking datagram socket bound to `local` (port 0: any). `reuse_port` sets
    /// SO_REUSEPORT first, so several sockets (one per thread) share the port and the
    /// kernel sends each remote address to the same one. Empty socket and `error` set on
    /// failure.
    static UdpSocket bind(const Address& local, bool reuse_port, std::string* error);

    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    void reset();

    Address local_address() const;
    /// SO_RCVBUF / SO_SNDBUF; false with errno on failure.
    bool set_read_buffer(int bytes);
    bool set_write_buffer(int bytes);
    /// kcp-go's SetDSCP: IPv4 TOS = dscp << 2, IPv6 traffic class = dscp (unshifted, as
    /// kcp-go does).
    bool set_dscp(int dscp);

  private:
    explicit UdpSocket(int fd) : fd_(fd) {}
    int fd_ = -1;
};

/// Receive slot size: one byte more than kcp-go's 1500-byte read buffer, so a longer
/// datagram reaches the core recognisably long; the core cuts it to 1500 as kcp-go's read
/// does (frame counter `oversize`) and its CRC then fails (InCsumErrors), as in kcp-go.
inline constexpr std::size_t kRecvSlot = kMaxDatagram + 1;

/// Receives up to `count` datagrams per call.
class RecvBatch {
  public:
    explicit RecvBatch(std::size_t count = 64, std::size_t capacity = kRecvSlot);
    /// Number received (0: nothing pending), or -1 with errno on a socket error.
    int receive(int fd);
    std::span<std::uint8_t> data(int i);
    const Address& source(int i) const { return sources_[static_cast<std::size_t>(i)]; }
    std::size_t count() const { return sources_.size(); }

  private:
    std::size_t capacity_;
    std::unique_ptr<std::uint8_t[]> storage_;
    std::vector<Address> sources_;
    std::vector<iovec> iovecs_;
    std::vector<mmsghdr> headers_;
};

/// Counters of what reached the kernel.
struct SendCounters {
    std::uint64_t datagrams = 0;  ///< OutPkts
    std::uint64_t bytes = 0;      ///< OutBytes
    std::uint64_t dropped = 0;    ///< the socket buffer was full (KCP retransmits) or an error
    std::uint64_t oversize = 0;   ///< longer than a slot (the core never makes one): not sent
    int last_error = 0;           ///< errno of the last failed send (0: none)
};

class SendBatch {
  public:
    explicit SendBatch(std::size_t count = 64, std::size_t capacity = kMaxDatagram);
    ~SendBatch() { flush(); }

    /// A buffer for the next datagram; write into it, then commit() (or abandon it).
    std::span<std::uint8_t> slot() { return {slot_ptr(pending_), capacity_}; }
    /// Queues slot()[0, length) for `to` on `fd`; sends the batch first if it holds another
    /// socket's datagrams, and afterwards if it is full. A length above the slot is a
    /// caller's bug: counted (oversize) and not sent, never cut into a corrupt datagram.
    void commit(std::size_t length, int fd, const Address& to);
    /// Copies `datagram` into a slot and commits it (for callers with their own buffer);
    /// longer than a slot: counted (oversize), not sent.
    void queue(std::span<const std::uint8_t> datagram, int fd, const Address& to);
    /// Sends everything queued (sendmmsg); drops what the socket refuses.
    void flush();
    std::size_t pending() const { return pending_; }
    const SendCounters& counters() const { return counters_; }
    /// Adds the counters since the last call to `into` and clears them.
    void drain_counters(SendCounters& into);

  private:
    std::uint8_t* slot_ptr(std::size_t i) { return storage_.get() + i * capacity_; }
    std::size_t count_, capacity_;
    std::unique_ptr<std::uint8_t[]> storage_;
    std::vector<Address> targets_;
    std::vector<iovec> iovecs_;
    std::vector<mmsghdr> headers_;
    // One control buffer (UDP_SEGMENT) and one datagram count per message of a flush.
    std::vector<std::array<std::uint8_t, 32>> controls_;
    std::vector<std::size_t> message_datagrams_;
    std::size_t pending_ = 0;
    int fd_ = -1;
    SendCounters counters_;
};

/// Datagrams every SendBatch of the process dropped (socket buffer full, send errors).
std::uint64_t total_send_drops();
/// Datagrams every SendBatch of the process refused as longer than a slot.
std::uint64_t total_send_oversize();

/// This thread's SendBatch. Loop threads flush it after every iteration; any other thread
/// must flush() it before returning to its caller.
SendBatch& thread_send_batch();

}  // namespace kcpkit::net
