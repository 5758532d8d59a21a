// Errors raised while decoding configuration or admin input. They carry the JSON path of the
// offending field so that messages can say exactly what to fix.
#pragma once

#include <stdexcept>
#include <string>

namespace mockd::core {

class FieldError final : public std::runtime_error {
  public:
    FieldError(std::string field, const std::string& message)
        : std::runtime_error(message), field_(std::move(field)) {}
    const std::string& field() const { return field_; }

  private:
    std::string field_;
};

}  // namespace mockd::core
