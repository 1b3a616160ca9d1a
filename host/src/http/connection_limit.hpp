// A cap on the connections one client address may hold open on `ork serve`
// at once. Poco's HTTP server gives every connection a thread for as long as
// it is open, so without a cap a client that opens connections and sends
// nothing (or one byte at a time) takes every thread and locks everyone out,
// token or not. This factory wraps Poco's HTTPServerConnection: past the cap
// a connection is answered 503 and closed before it reads anything. Used by
// http/http_server.cpp in place of Poco::Net::HTTPServer's own factory.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ork::host {

class PerAddressConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  PerAddressConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                              Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, int max_per_address);

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

  // Shared with every open connection, which gives its slot back when it ends.
  class Counts {
   public:
    bool acquire(const std::string& address, int max);
    void release(const std::string& address);

   private:
    std::mutex mutex_;
    std::map<std::string, int> open_;
  };

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  int max_per_address_;
  std::shared_ptr<Counts> counts_ = std::make_shared<Counts>();
};

}  // namespace ork::host
