// A UDP endpoint (IPv4 or IPv6 address + port) as the socket calls want it, with parsing
// and printing in kcp-go's "host:port" / "[v6]:port" form and a hash so it can key maps.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kcpkit::net {

class Address {
  public:
    Address() = default;
    /// Copies `len` bytes of a sockaddr the kernel filled in (AF_INET or AF_INET6).
    Address(const sockaddr* sa, socklen_t len);

    /// "1.2.3.4:5", "[::1]:5", "localhost:5", ":5" (all IPv4 interfaces). Numeric hosts
    /// and names the resolver knows; nullopt if it does not parse or resolve.
    static std::optional<Address> parse(std::string_view text);

    const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
    sockaddr* sockaddr_ptr() { return reinterpret_cast<sockaddr*>(&storage_); }
    socklen_t length() const { return length_; }
    /// For recvmsg: the kernel writes the length back.
    socklen_t* length_ptr() { return &length_; }
    static constexpr socklen_t capacity() { return sizeof(sockaddr_storage); }

    int family() const { return storage_.ss_family; }
    bool valid() const { return family() == AF_INET || family() == AF_INET6; }
    std::uint16_t port() const;
    bool is_loopback() const;

    /// "1.2.3.4:5" or "[::1]:5": kcp-go's RemoteAddr().String().
    std::string to_string() const;

    /// The bytes that identify the endpoint (family, address, port), for map keys.
    std::string_view key() const;

    friend bool operator==(const Address& a, const Address& b) { return a.key() == b.key(); }

  private:
    sockaddr_storage storage_{};
    socklen_t length_ = 0;
};

struct AddressHash {
    std::size_t operator()(const Address& a) const;
};

}  // namespace kcpkit::net
