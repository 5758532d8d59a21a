// The per-request random generator behind uuid, random.* and faker.*: PCG32, seeded from
// ?_mockd_seed / X-Mockd-Seed / the response's seed for reproducible output, else from the OS.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace mockd::tmpl {

class Rng final {
  public:
    explicit Rng(uint64_t seed) { reseed(seed); }
    // A generator seeded from the OS (through a per-thread generator, so it is cheap).
    static Rng unseeded() {
        thread_local std::mt19937_64 os{std::random_device{}()};
        return Rng(os());
    }
    void reseed(uint64_t seed) {
        state_ = 0;
        next();
        state_ += seed;
        next();
    }
    uint32_t next() {
        uint64_t old = state_;
        state_ = old * 6364136223846793005ULL + 1442695040888963407ULL;
        auto xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
        auto rot = static_cast<uint32_t>(old >> 59u);
        return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
    }
    uint64_t next64() { return (static_cast<uint64_t>(next()) << 32) | next(); }
    // Uniform in [lo, hi] (inclusive).
    int64_t between(int64_t lo, int64_t hi) {
        if (hi <= lo) return lo;
        // In unsigned arithmetic: the span of [INT64_MIN, INT64_MAX] overflows int64_t.
        uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
        return static_cast<int64_t>(static_cast<uint64_t>(lo) +
                                    (span == 0 ? next64() : next64() % span));
    }
    double unit() { return static_cast<double>(next64() >> 11) * (1.0 / 9007199254740992.0); }
    template <typename T, size_t N>
    const T& pick(const T (&arr)[N]) {
        return arr[static_cast<size_t>(between(0, static_cast<int64_t>(N) - 1))];
    }

  private:
    uint64_t state_ = 0;
};

}  // namespace mockd::tmpl
