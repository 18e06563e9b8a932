#include "kcpkit/net/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>
#include <functional>

namespace kcpkit::net {

Address::Address(const sockaddr* sa, socklen_t len) {
    length_ = len > capacity() ? capacity() : len;
    std::memcpy(&storage_, sa, length_);
}

std::optional<Address> Address::parse(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string host(text.substr(0, colon));
    const std::string port(text.substr(colon + 1));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (port.empty()) return std::nullopt;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (host.empty()) {
        host = "0.0.0.0";
        hints.ai_flags |= AI_PASSIVE;
    }
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
        return std::nullopt;
    }
    Address result(found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (!result.valid()) return std::nullopt;
    return result;
}

std::uint16_t Address::port() const {
    if (family() == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    }
    if (family() == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    }
    return 0;
}

bool Address::is_loopback() const {
    if (family() == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&storage_);
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (family() == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

std::string Address::to_string() const {
    char host[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, host,
                  sizeof host);
        return std::string(host) + ":" + std::to_string(port());
    }
    if (family() == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, host,
                  sizeof host);
        std::string text;
        text.append("[").append(host).append("]:").append(std::to_string(port()));
        return text;
    }
    return "?";
}

std::string_view Address::key() const {
    // Port and address are contiguous in both layouts; the family tells them apart.
    const auto* base = reinterpret_cast<const char*>(&storage_);
    if (family() == AF_INET) {
        return {base, offsetof(sockaddr_in, sin_zero)};
    }
    if (family() == AF_INET6) {
        return {base, offsetof(sockaddr_in6, sin6_scope_id)};
    }
    return {};
}

std::size_t AddressHash::operator()(const Address& a) const {
    return std::hash<std::string_view>{}(a.key());
}

}  // namespace kcpkit::net
