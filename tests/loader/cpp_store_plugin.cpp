// A storage plugin written with the C++ wrapper that implements only the
// calls every store must have (API 1.0) and none of the optional groups. The
// loader tests check that its table leaves every optional slot NULL, and
// cpp_store_cli.sh that `ork worker` and `ork run --workers-only` refuse it
// up front. It keeps nothing: it exists to be loaded and opened.
#include <ork/plugin.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace {

class PlainStore final : public ork::plugin::Store {
 public:
  std::int64_t save_workflow(const ork::plugin::WorkflowRecord&) override { return 1; }
  ork::plugin::CreatedRun create_run(const ork::plugin::RunRecord& run) override {
    return {std::string(run.run_id), false};
  }
  void update_task(const ork::plugin::TaskUpdate&) override {}
  void update_run(std::string_view, std::string_view, std::int64_t, std::string_view) override {}
  void append_logs(std::span<const ork::plugin::LogLine>) override {}
  std::string query(ork_query_kind, std::string_view) override { throw ork::plugin::NotFound("plain store keeps nothing"); }
};

class PlainStorage final : public ork::plugin::Storage {
 public:
  static constexpr const char* url_schemes[] = {"plainstore", nullptr};
  using store_type = PlainStore;

  std::unique_ptr<ork::plugin::Store> open(std::string_view) override { return std::make_unique<PlainStore>(); }
};

}  // namespace

ORK_STORAGE_PLUGIN(PlainStorage, "plain_store", "0.0.1", "C++ store with only the API 1.0 calls")
