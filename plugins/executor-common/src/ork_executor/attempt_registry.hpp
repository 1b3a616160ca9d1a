// The running attempts of an executor by attempt token, so that cancel(token),
// which the host calls from another thread, reaches the right run: a process
// executor's cancel signal, a python or library worker to kill, an in-process
// call to abandon. Used by the process, python and library executors.
#pragma once

#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

namespace ork::plugins::executor {

template <typename Target>
class AttemptRegistry {
 public:
  // Keeps one attempt registered for its lifetime (or until end()).
  class Registration {
   public:
    Registration(AttemptRegistry& registry, std::uint64_t token) : registry_(registry), token_(token) {}
    ~Registration() { end(); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    // Points cancel() at `target` from now on. False, and nothing attached,
    // when the attempt was cancelled before (it should not start then).
    [[nodiscard]] bool attach(Target* target) { return registry_.attach(token_, target); }
    // Whether cancel() was called for this attempt while it was registered.
    [[nodiscard]] bool cancelled() { return registry_.cancelled(token_); }
    // Leaves the registry early, e.g. before the target is destroyed: a later
    // cancel() reaches nothing. Idempotent.
    void end() {
      if (!ended_) registry_.remove(token_);
      ended_ = true;
    }

   private:
    AttemptRegistry& registry_;
    std::uint64_t token_;
    bool ended_ = false;
  };

  // Registers `token`, with `target` (or none yet: see attach). Throws
  // std::logic_error when `token` is already running: the host gives every
  // attempt its own token, so that is a host bug.
  [[nodiscard]] Registration add(std::uint64_t token, Target* target = nullptr) {
    std::lock_guard lock(mutex_);
    if (!entries_.emplace(token, Entry{target, false}).second) {
      throw std::logic_error("attempt token " + std::to_string(token) +
                             " is already running; the host must give every attempt its own token");
    }
    return Registration(*this, token);
  }

  // Marks the attempt cancelled and, when a target is attached, calls
  // `action(*target)` under the registry's lock, so the target cannot be
  // unregistered and destroyed meanwhile. An unknown or finished token is
  // ignored (a cancel may race the attempt's end).
  template <typename Action>
  void cancel(std::uint64_t token, Action&& action) {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(token);
    if (found == entries_.end()) return;
    found->second.cancelled = true;
    if (found->second.target != nullptr) std::forward<Action>(action)(*found->second.target);
  }

 private:
  struct Entry {
    Target* target;
    bool cancelled;
  };

  bool attach(std::uint64_t token, Target* target) {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(token);
    if (found == entries_.end() || found->second.cancelled) return false;
    found->second.target = target;
    return true;
  }

  bool cancelled(std::uint64_t token) {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(token);
    return found != entries_.end() && found->second.cancelled;
  }

  void remove(std::uint64_t token) {
    std::lock_guard lock(mutex_);
    entries_.erase(token);
  }

  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Entry> entries_;
};

}  // namespace ork::plugins::executor
