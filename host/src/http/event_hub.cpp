#include "http/event_hub.hpp"

#include "http/http_limits.hpp"

#include <algorithm>
#include <iostream>
#include <limits>

namespace ork::host {

namespace {

using http_limits::catch_up_page_events;
using http_limits::max_queued_events;

}  // namespace

std::optional<std::vector<StoreEvent>> EventHub::Subscription::next(std::chrono::milliseconds timeout) {
  if (catching_up_) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return std::nullopt;
    }
    std::optional<std::vector<StoreEvent>> page = next_catch_up_page();
    if (!page || !page->empty()) return page;
  }
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return closed_ || !queue_.empty(); });
  if (closed_ && queue_.empty()) return std::nullopt;
  std::vector<StoreEvent> events(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  return events;
}

std::optional<std::vector<StoreEvent>> EventHub::Subscription::next_catch_up_page() {
  EventPage page = store_->events(catch_up_after_, catch_up_page_events);
  std::vector<StoreEvent> missed;
  for (auto& e : page.events) {
    if (e.seq <= live_from_) missed.push_back(std::move(e));
  }
  if (page.events.empty() || page.events.back().seq >= live_from_) {
    catching_up_ = false;
  } else {
    catch_up_after_ = page.events.back().seq;
  }
  return missed;
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
  // Events up to `live_from` come from the store, a page at a time as the
  // reader asks (Subscription::next); later ones from the poller.
  if (after && *after < live_from) {
    subscription->store_ = &store_;
    subscription->catching_up_ = true;
    subscription->catch_up_after_ = *after;
    subscription->live_from_ = live_from;
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
      page = store_.events(after, catch_up_page_events);
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
      if (page.events.size() == static_cast<std::size_t>(catch_up_page_events)) continue;  // more are waiting
    }
    stop_signal_.wait_for(lock, poll_interval_, [this] { return stopping_; });
  }
}

}  // namespace ork::host
