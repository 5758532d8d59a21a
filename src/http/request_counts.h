// mockd_requests_total: requests answered on the mock port by mock id and the status actually
// sent. A plain monotonic counter, apart from the verification counts, so resetting those or
// deleting a mock never takes it backwards.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mockd::http {

class RequestCounts final {
  public:
    RequestCounts();
    ~RequestCounts();
    RequestCounts(const RequestCounts&) = delete;
    RequestCounts& operator=(const RequestCounts&) = delete;

    // On the request path: counts into the calling thread's own shard, whose lock only a
    // scrape ever contends, so request threads never wait on one another.
    void add(std::string_view mockId, int status);

    struct Sample {
        std::string mockId;  // empty for unmatched requests
        int status = 0;
        uint64_t count = 0;
    };
    // The shards summed, ordered by mock id, then status.
    std::vector<Sample> samples() const;

  private:
    struct Shard;
    Shard& localShard();

    mutable std::mutex shardsMu_;
    std::vector<std::shared_ptr<Shard>> shards_;
    const uint64_t instance_;
};

}  // namespace mockd::http
