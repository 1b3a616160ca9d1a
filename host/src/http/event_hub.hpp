// Live events for `/api/events`: one background thread polls the store's
// event table (`Store::events(after)`, every 20 ms by default) and hands each
// new event to every subscribed client. Because it reads the store rather
// than listening inside this process, runs executed by other processes that
// share the store (an `ork run` in another terminal) show up live too.
// Subscribers catch up from any earlier sequence number (SSE
// `Last-Event-ID`) by reading the store directly, one page at a time as the
// client takes them, before going live: a client never holds more than a
// page of old events plus its bounded live queue (http/http_limits.hpp).
#pragma once

#include "store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ork::host {

class EventHub {
 public:
  class Subscription {
   public:
    // The events after the last one returned, waiting up to `timeout` for
    // some; an empty vector on timeout; nullopt once the hub has stopped.
    // While catching up, a page of at most catch_up_page_events old events.
    // Called by one reader thread.
    std::optional<std::vector<StoreEvent>> next(std::chrono::milliseconds timeout);

   private:
    friend class EventHub;
    std::optional<std::vector<StoreEvent>> next_catch_up_page();

    // Catch-up state, touched only by the reader thread.
    Store* store_ = nullptr;
    bool catching_up_ = false;
    std::int64_t catch_up_after_ = 0;
    std::int64_t live_from_ = 0;  // events up to here come from the store, later ones from the queue

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<StoreEvent> queue_;
    bool closed_ = false;
    bool overflowed_ = false;  // too slow a reader: it is dropped
  };

  explicit EventHub(Store& store, std::chrono::milliseconds poll_interval = std::chrono::milliseconds(20));
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  void start();
  void stop();

  // A live subscription; events after `after` up to the live point are
  // first read from the store (catch-up, paged), then live ones follow
  // without gaps or duplicates.
  std::shared_ptr<Subscription> subscribe(std::optional<std::int64_t> after = std::nullopt);
  void unsubscribe(const std::shared_ptr<Subscription>& subscription);

  std::int64_t last_seq() const;

 private:
  void poll_loop();

  Store& store_;
  std::chrono::milliseconds poll_interval_;
  mutable std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::int64_t last_seq_ = 0;
  std::vector<std::shared_ptr<Subscription>> subscribers_;
  std::thread thread_;
};

}  // namespace ork::host
