#include "http/event_hub.hpp"

#include <algorithm>
#include <iostream>
#include <limits>

namespace ork::host {

namespace {

constexpr std::size_t max_queued_events = 100'000;
constexpr int catch_up_page = 1000;

}  // namespace

std::optional<std::vector<StoreEvent>> EventHub::Subscription::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return closed_ || !queue_.empty(); });
  if (closed_ && queue_.empty()) return std::nullopt;
  std::vector<StoreEvent> events(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  return events;
}

EventHub::EventHub(Store& store, std::chrono::milliseconds poll_interval)
    : store_(store), poll_interval_(poll_interval) {}

EventHub::~EventHub() { stop(); }

void EventHub::start() {
  // Only what happens from now on is live; older events are reached by catch-up.
  last_seq_ = store_.events(std::numeric_limits<std::int64_t>::max(), 1).last_seq;
  stopping_ = false;
  thread_ = std::thread([this] { poll_loop(); });
}

void EventHub::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& s : subscribers_) {
      std::lock_guard sub_lock(s->mutex_);
      s->closed_ = true;
      s->ready_.notify_all();
    }
  }
  stop_signal_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(std::optional<std::int64_t> after) {
  auto subscription = std::make_shared<Subscription>();
  std::int64_t live_from = 0;
  {
    std::lock_guard lock(mutex_);
    live_from = last_seq_;
    if (stopping_) subscription->closed_ = true;
    subscribers_.push_back(subscription);
  }
  // Events up to `live_from` come from the store; later ones from the poller.
  if (after && *after < live_from) {
    std::vector<StoreEvent> missed;
    for (std::int64_t cursor = *after; cursor < live_from;) {
      EventPage page = store_.events(cursor, catch_up_page);
      if (page.events.empty()) break;
      for (auto& e : page.events) {
        if (e.seq <= live_from) missed.push_back(std::move(e));
      }
      cursor = page.events.back().seq;
    }
    std::lock_guard lock(subscription->mutex_);
    subscription->queue_.insert(subscription->queue_.begin(), std::make_move_iterator(missed.begin()),
                                std::make_move_iterator(missed.end()));
  }
  return subscription;
}

void EventHub::unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), subscription), subscribers_.end());
}

std::int64_t EventHub::last_seq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

void EventHub::poll_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::int64_t after = last_seq_;
    lock.unlock();
    EventPage page;
    try {
      page = store_.events(after, catch_up_page);
    } catch (const std::exception& e) {
      std::cerr << "ork serve: reading events: " << e.what() << '\n';
    }
    lock.lock();
    if (!page.events.empty()) {
      last_seq_ = page.events.back().seq;
      for (auto& s : subscribers_) {
        std::lock_guard sub_lock(s->mutex_);
        if (s->queue_.size() + page.events.size() > max_queued_events) {
          s->overflowed_ = true;
          s->closed_ = true;
        } else {
          s->queue_.insert(s->queue_.end(), page.events.begin(), page.events.end());
        }
        s->ready_.notify_all();
      }
      if (page.events.size() == static_cast<std::size_t>(catch_up_page)) continue;  // more are waiting
    }
    stop_signal_.wait_for(lock, poll_interval_, [this] { return stopping_; });
  }
}

}  // namespace ork::host
