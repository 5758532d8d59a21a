// Delay sampling, chunk framing and fault bytes.
#include "core/delivery.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace mockd::core {

namespace {
std::mt19937_64& rng() {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return gen;
}

uint32_t clampMs(double v) {
    if (!(v > 0)) return 0;
    return v >= 4294967295.0 ? UINT32_MAX : static_cast<uint32_t>(std::llround(v));
}
}  // namespace

uint32_t DelayDistribution::sample() const {
    switch (kind) {
        case Kind::None:
            return 0;
        case Kind::Fixed:
            return clampMs(a);
        case Kind::Uniform: {
            auto lo = static_cast<int64_t>(a), hi = static_cast<int64_t>(b);
            if (hi < lo) return clampMs(static_cast<double>(lo));
            return clampMs(
                static_cast<double>(std::uniform_int_distribution<int64_t>(lo, hi)(rng())));
        }
        case Kind::LogNormal: {
            std::normal_distribution<double> gauss(0.0, 1.0);
            auto draw = [&] { return std::round(std::exp(gauss(rng()) * b) * a); };
            double v = draw();
            // Above the cap: draw again a few times, then cap (the tail stays lognormal).
            for (int i = 0; max && v > *max && i < 10; ++i) v = draw();
            if (max) v = std::min(v, *max);
            return clampMs(v);
        }
    }
    return 0;
}

std::optional<Fault> faultNamed(std::string_view name) {
    if (name == "CONNECTION_RESET_BY_PEER") return Fault::ConnectionReset;
    if (name == "EMPTY_RESPONSE") return Fault::EmptyResponse;
    if (name == "MALFORMED_RESPONSE_CHUNK") return Fault::MalformedChunk;
    if (name == "RANDOM_DATA_THEN_CLOSE") return Fault::RandomData;
    return std::nullopt;
}

std::string_view faultName(Fault fault) {
    switch (fault) {
        case Fault::ConnectionReset:
            return "CONNECTION_RESET_BY_PEER";
        case Fault::EmptyResponse:
            return "EMPTY_RESPONSE";
        case Fault::MalformedChunk:
            return "MALFORMED_RESPONSE_CHUNK";
        case Fault::RandomData:
            return "RANDOM_DATA_THEN_CLOSE";
        case Fault::None:
            break;
    }
    return {};
}

std::vector<std::string> chunkFrames(std::string_view body, uint32_t pieces) {
    std::vector<std::string> out;
    if (pieces < 1) pieces = 1;
    if (body.size() < pieces) pieces = static_cast<uint32_t>(std::max<size_t>(body.size(), 1));
    const size_t size = body.size() / pieces;
    out.reserve(pieces);
    for (uint32_t i = 0; i < pieces; ++i) {
        std::string_view part =
            body.substr(i * size, i + 1 == pieces ? std::string_view::npos : size);
        std::string frame;
        appendChunk(frame, part);
        out.push_back(std::move(frame));
    }
    out.back() += kLastChunk;
    return out;
}

void appendChunk(std::string& out, std::string_view data) {
    if (data.empty()) return;
    char len[20];
    int n = std::snprintf(len, sizeof len, "%zx\r\n", data.size());
    out.append(len, static_cast<size_t>(n));
    out.append(data);
    out += "\r\n";
}

std::string garbageBytes() {
    // Not a status line, not a chunk size: any HTTP client reports a protocol error.
    std::string out = "\x16\x03\x01 mockd-fault ~!@#$%^&*()_+ 0x7f7f \x01\x02\x03 zz#;;\n";
    std::uniform_int_distribution<int> byte(0x80, 0xff);
    for (int i = 0; i < 32; ++i) out += static_cast<char>(byte(rng()));
    return out;
}

}  // namespace mockd::core
