// Reads mocks in mockd's JSON shape (the same shape in YAML configs and the admin API) into the
// internal model, with one clear error per bad field and a warning per unknown one.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "core/mock.h"

namespace mockd::core {

struct DecodeContext {
    // Directory that relative `bodyFile` paths resolve against; a file outside it is refused.
    std::filesystem::path baseDir;
    // Called once per unknown field with its path (e.g. "mocks[2].http.matcher.pth").
    std::function<void(const std::string& field)> onUnknownField;
};

// The codec of one mock type's block (`"http": {...}`): the seam through which a protocol brings
// its mock type. decodeMock reads what every mock has (id, name, enabled, type), then hands the
// block named after the type to that type's codec; encodeMock asks it for the block back.
class MockTypeCodec {
  public:
    virtual ~MockTypeCodec() = default;
    virtual std::string_view type() const = 0;
    // Decodes and validates the type's block into `mock`; `where` names the block in errors
    // ("mocks[2].http"). Throws FieldError naming the field.
    virtual void decode(const Json& block, const std::string& where, const DecodeContext& ctx,
                        Mock& mock) const = 0;
    // The block as `decode` reads it.
    virtual Json encode(const Mock& mock) const = 0;
};

// An answer that streams instead of an HTTP mock's `response` (`"sse": {...}`,
// `"chunked": {...}`), decoded by the protocol that serves it and known here only by this.
class StreamAnswer {
  public:
    virtual ~StreamAnswer() = default;
    // The field of the `http` block it was read from ("sse", "chunked").
    virtual std::string_view key() const = 0;
    // The field's value, as `decode` reads it.
    virtual Json encode() const = 0;
};

// The codec of one such field: the seam through which a protocol that rides on HTTP mocks
// (server-sent events, chunked streams) brings its block.
class StreamAnswerCodec {
  public:
    virtual ~StreamAnswerCodec() = default;
    virtual std::string_view key() const = 0;
    // Decodes and validates the field; `where` names it in errors ("mocks[0].http.sse").
    // Throws FieldError naming the field.
    virtual std::shared_ptr<const StreamAnswer> decode(const Json& value, const std::string& where,
                                                       const DecodeContext& ctx) const = 0;
};

// Adds the codec of a streaming field (at start-up, like addMockType); until one is added, the
// field is refused by name as not supported.
void addStreamAnswerCodec(std::shared_ptr<const StreamAnswerCodec> codec);

// Adds the codec of a mock type, at start-up before any mock is decoded (a protocol's, through
// protocols::Protocol::mockType); one added later for the same type replaces it. HTTP's is
// there from the start.
void addMockType(std::shared_ptr<const MockTypeCodec> codec);
// The codec of a type, or nullptr when no protocol serves it.
const MockTypeCodec* findMockType(std::string_view type);
// HTTP's codec: matcher, response or responses, priority, times, stateful bindings.
std::shared_ptr<const MockTypeCodec> httpMockType();

// Reports each field of `obj` not in `known` to ctx.onUnknownField (as "<where>.<field>").
void warnUnknown(const Json& obj, const std::string& where,
                 std::initializer_list<std::string_view> known, const DecodeContext& ctx);

// Decodes one mock; `where` is the JSON path used in messages ("mocks[3]").
// Throws FieldError naming the field.
Mock decodeMock(const Json& j, const std::string& where, const DecodeContext& ctx);

// Decodes a binding ({table, action, operation?, response?}); `where` names it in errors.
StatefulBinding decodeBinding(const Json& j, const std::string& where);

// Encodes a mock back to mockd's JSON shape (for export and admin answers).
Json encodeMock(const Mock& m);

// A certificate fingerprint as matchers compare it: without a "sha256:"/"SHA256:" prefix and
// colons, lower case.
std::string normalizeFingerprint(std::string_view text);

// Generates a mockd-style id: "<type>_<16 hex>".
std::string generateMockId(const std::string& type);

}  // namespace mockd::core
