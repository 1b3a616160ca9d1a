#include "http/connection_limit.hpp"

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>

namespace ork::host {

namespace {

// Poco's own connection, plus the slot it holds.
class CountedConnection final : public Poco::Net::TCPServerConnection {
 public:
  CountedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                    std::shared_ptr<PerAddressConnectionFactory::Counts> counts, std::string address)
      : Poco::Net::TCPServerConnection(socket),
        http_(socket, std::move(params), std::move(handlers)),
        counts_(std::move(counts)),
        address_(std::move(address)) {}
  ~CountedConnection() override { counts_->release(address_); }

  void run() override { http_.run(); }

 private:
  Poco::Net::HTTPServerConnection http_;
  std::shared_ptr<PerAddressConnectionFactory::Counts> counts_;
  std::string address_;
};

// Past the cap: a short answer, then the socket closes with this object.
class RefusedConnection final : public Poco::Net::TCPServerConnection {
 public:
  using Poco::Net::TCPServerConnection::TCPServerConnection;

  void run() override {
    static const std::string body =
        R"({"error":{"status":503,"message":"too many open connections from your address; close some and retry"}})";
    const std::string answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                               "Connection: close\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
    try {
      socket().setSendTimeout(Poco::Timespan(1, 0));
      socket().sendBytes(answer.data(), static_cast<int>(answer.size()));
      socket().shutdownSend();
    } catch (const Poco::Exception&) {
      // The client is gone already; nothing to tell it.
    }
  }
};

}  // namespace

PerAddressConnectionFactory::PerAddressConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                                                         Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                                                         int max_per_address)
    : params_(std::move(params)), handlers_(std::move(handlers)), max_per_address_(max_per_address) {}

Poco::Net::TCPServerConnection* PerAddressConnectionFactory::createConnection(const Poco::Net::StreamSocket& socket) {
  std::string address;
  try {
    address = socket.peerAddress().host().toString();
  } catch (const Poco::Exception&) {
    return new RefusedConnection(socket);  // already disconnected; Poco owns and deletes it
  }
  if (!counts_->acquire(address, max_per_address_)) return new RefusedConnection(socket);
  return new CountedConnection(socket, params_, handlers_, counts_, std::move(address));
}

bool PerAddressConnectionFactory::Counts::acquire(const std::string& address, int max) {
  std::lock_guard lock(mutex_);
  int& open = open_[address];
  if (open >= max) return false;
  ++open;
  return true;
}

void PerAddressConnectionFactory::Counts::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(address);
  if (it != open_.end() && --it->second <= 0) open_.erase(it);
}

}  // namespace ork::host
