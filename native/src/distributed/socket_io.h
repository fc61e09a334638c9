// Blocking TCP helpers with deadlines, for the rendezvous store (the collectives' traffic is
// Gloo's own). Every failure throws std::runtime_error with a message that names the peer.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace myelin::distributed {

using Clock = std::chrono::steady_clock;

// Milliseconds left until `deadline` (0 when past).
int64_t ms_left(Clock::time_point deadline);

std::string errno_text(int err);

// A listening IPv4 socket on all interfaces (port 0: any free port). Throws naming the port.
int listen_any(int port, int backlog);
int bound_port(int fd);

// Connects to host:port, retrying refused or unreachable connections until the deadline (the
// server may start after its clients). Throws with the last error when the deadline passes.
int connect_with_retry(const std::string& host, int port, Clock::time_point deadline);

// Reads exactly n bytes before the deadline. Returns false on a clean end of stream before the
// first byte; throws on a timeout, an error, or an end of stream in the middle.
bool read_full(int fd, void* buf, size_t n, Clock::time_point deadline, const std::string& peer);
void write_full(int fd, const void* buf, size_t n, Clock::time_point deadline, const std::string& peer);

// The local address (numeric) of a connected socket: the interface that reaches its peer.
std::string local_address(int fd);
// The IPv4 address of a network interface (GLOO_SOCKET_IFNAME's), or "" when it has none.
std::string interface_address(const std::string& iface);
// This host's address as its name resolves (IPv4 first), or 127.0.0.1 when it does not.
std::string hostname_address();

}  // namespace myelin::distributed
