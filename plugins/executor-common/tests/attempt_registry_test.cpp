// AttemptRegistry: cancel reaches the attached target of a running attempt
// only, a cancel before attach refuses the attach, a finished or ended
// attempt is out of reach, and a token cannot run twice.
#include <gtest/gtest.h>

#include <stdexcept>

#include "ork_executor/attempt_registry.hpp"

namespace ork::plugins::executor {
namespace {

struct Target {
  int cancels = 0;
};

void cancel_one(AttemptRegistry<Target>& registry, std::uint64_t token) {
  registry.cancel(token, [](Target& target) { ++target.cancels; });
}

TEST(AttemptRegistry, CancelReachesTheAttemptsTargetAndMarksItCancelled) {
  AttemptRegistry<Target> registry;
  Target first, second;
  auto one = registry.add(1, &first);
  auto two = registry.add(2, &second);
  cancel_one(registry, 2);
  EXPECT_EQ(first.cancels, 0);
  EXPECT_EQ(second.cancels, 1);
  EXPECT_FALSE(one.cancelled());
  EXPECT_TRUE(two.cancelled());
}

TEST(AttemptRegistry, UnknownAndFinishedTokensAreIgnored) {
  AttemptRegistry<Target> registry;
  Target target;
  cancel_one(registry, 7);
  { auto registration = registry.add(7, &target); }
  cancel_one(registry, 7);
  EXPECT_EQ(target.cancels, 0);
}

TEST(AttemptRegistry, EndLeavesTheRegistryEarly) {
  AttemptRegistry<Target> registry;
  Target target;
  auto registration = registry.add(3, &target);
  registration.end();
  cancel_one(registry, 3);
  EXPECT_EQ(target.cancels, 0);
  auto again = registry.add(3, &target);  // the token is free again
  registration.end();                     // idempotent: does not remove the new registration
  cancel_one(registry, 3);
  EXPECT_EQ(target.cancels, 1);
}

TEST(AttemptRegistry, ACancelBeforeAttachRefusesTheAttach) {
  AttemptRegistry<Target> registry;
  Target target;
  auto registration = registry.add(4);
  cancel_one(registry, 4);  // no target yet: only marked
  EXPECT_TRUE(registration.cancelled());
  EXPECT_FALSE(registration.attach(&target));
  cancel_one(registry, 4);
  EXPECT_EQ(target.cancels, 0);

  auto other = registry.add(5);
  EXPECT_TRUE(other.attach(&target));
  cancel_one(registry, 5);
  EXPECT_EQ(target.cancels, 1);
}

TEST(AttemptRegistry, ATokenCannotRunTwice) {
  AttemptRegistry<Target> registry;
  auto registration = registry.add(9);
  EXPECT_THROW((void)registry.add(9), std::logic_error);
}

}  // namespace
}  // namespace ork::plugins::executor
