// WireMock's value matchers are the one matcher engine (match/value_matcher.h); WireMock's code
// names them as its own.
#pragma once

#include "match/value_matcher.h"

namespace mockd::wiremock {

using match::appendJacksonString;
using match::bodyDiffExpected;
using match::compileMultiValueMatcher;
using match::compileValueMatcher;
using match::formatXmlText;
using match::jacksonPrettyJson;
using match::Json;
using match::MatchResult;
using match::MultiValueMatcher;
using match::MultiValueMatcherPtr;
using match::PatternError;
using match::ValueMatcher;
using match::ValueMatcherPtr;
using match::XPathResult;
using match::xpathValues;

}  // namespace mockd::wiremock
