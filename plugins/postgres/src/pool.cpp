#include "pool.hpp"

#include <utility>

namespace ork::plugins::postgres {

Pool::Pool(ServerUrl url) : url_(std::move(url)) {
  idle_.push_back(std::make_unique<Connection>(url_));
  open_ = 1;
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < url_.pool_size; });
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Connection>(url_, reconnect_patience));
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void Pool::drop_idle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
    open_ -= dropped.size();
  }
  available_.notify_all();
  // `dropped` closes its connections here, outside the lock.
}

void Pool::release(std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> broken;
  {
    std::lock_guard lock(mutex_);
    if (connection->healthy()) {
      idle_.push_back(std::move(connection));
    } else {
      broken = std::move(connection);
      --open_;
    }
  }
  available_.notify_one();
}

Pool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

}  // namespace ork::plugins::postgres
