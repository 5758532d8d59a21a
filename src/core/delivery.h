// How a response reaches the client beyond its bytes: a delay drawn from a distribution, a body
// dribbled in timed chunks, or a fault that breaks the connection. One model for both formats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mockd::core {

struct DelayDistribution {
    enum class Kind : uint8_t { None, Fixed, Uniform, LogNormal };
    Kind kind = Kind::None;
    double a = 0;               // fixed: milliseconds; uniform: lower bound; lognormal: median
    double b = 0;               // uniform: upper bound; lognormal: sigma
    std::optional<double> max;  // lognormal: resample (then cap) above this

    bool empty() const { return kind == Kind::None; }
    // A delay in milliseconds (never negative; uniform bounds are inclusive).
    uint32_t sample() const;
};

enum class Fault : uint8_t { None, ConnectionReset, EmptyResponse, MalformedChunk, RandomData };

// WireMock's fault names (CONNECTION_RESET_BY_PEER, ...); nullopt for any other.
std::optional<Fault> faultNamed(std::string_view name);
// The WireMock name of a fault (the inverse of faultNamed); empty for None.
std::string_view faultName(Fault fault);

// A body sent in `chunks` pieces spread evenly over `totalMs` (WireMock's chunkedDribbleDelay).
struct Dribble {
    uint32_t chunks = 0;  // 0: not dribbled
    uint32_t totalMs = 0;
};

// The body cut as WireMock cuts it (equal pieces, the remainder in the last; never more pieces
// than bytes), each framed as an HTTP/1.1 chunk; the last one also ends the chunked body.
std::vector<std::string> chunkFrames(std::string_view body, uint32_t pieces);

// Appends `data` framed as one HTTP/1.1 chunk (nothing for empty data: an empty chunk would
// end the body).
void appendChunk(std::string& out, std::string_view data);
// The chunk that ends a chunked body.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// Bytes that are not HTTP, for the random-data and malformed-chunk faults.
std::string garbageBytes();

}  // namespace mockd::core
