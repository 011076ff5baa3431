#include "core/id_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>

namespace snowflake {
namespace {

struct Case {
  const char* text;
  IdTextStatus status;
  std::int64_t id;  // when status is ok
};

// Parses each text and checks the status, and the id of those that parse.
void expect_cases(std::initializer_list<Case> cases) {
  for (const Case& expected : cases) {
    const ParsedId parsed = parse_id_text(expected.text);
    EXPECT_EQ(parsed.status, expected.status) << '"' << expected.text << '"';
    if (expected.status == IdTextStatus::ok) {
      EXPECT_EQ(parsed.id, expected.id) << '"' << expected.text << '"';
    }
  }
}

constexpr IdTextStatus ok = IdTextStatus::ok;
constexpr IdTextStatus bad_syntax = IdTextStatus::bad_syntax;

TEST(IdText, ReadsDecimalDigits) {
  expect_cases({{"0", ok, 0}, {"1541815603606036480", ok, 1541815603606036480}, {"007", ok, 7}});
}

TEST(IdText, AcceptsSpacesAndASignAroundTheDigits) {
  expect_cases({{"  42\t\n", ok, 42}, {"+42", ok, 42}, {"-0", ok, 0}, {" -000 ", ok, 0}});
}

TEST(IdText, ReadsTheLargestBigintAndNoMore) {
  expect_cases({{"9223372036854775807", ok, INT64_MAX},
                {"9223372036854775808", IdTextStatus::out_of_range, 0},
                {"99999999999999999999999999", IdTextStatus::out_of_range, 0}});
}

TEST(IdText, RefusesNegativeValues) {
  expect_cases({{"-1", IdTextStatus::negative, 0},
                {" -9223372036854775808", IdTextStatus::negative, 0},
                {"-99999999999999999999999999", IdTextStatus::negative, 0}});
}

TEST(IdText, RefusesAnythingButDigits) {
  expect_cases({{"", bad_syntax, 0},
                {" ", bad_syntax, 0},
                {"+", bad_syntax, 0},
                {"-", bad_syntax, 0},
                {"--1", bad_syntax, 0},
                {"+-1", bad_syntax, 0},
                {"1 2", bad_syntax, 0},
                {"12a", bad_syntax, 0},
                {"1e3", bad_syntax, 0},
                {"1.0", bad_syntax, 0},
                {"\"1\"", bad_syntax, 0},
                {"\uff11", bad_syntax, 0}});
}

// PostgreSQL 16's bigint reads these; a snowflake reads decimal only, on every version.
TEST(IdText, RefusesOtherBasesAndDigitSeparators) {
  expect_cases({{"0x10", bad_syntax, 0},
                {"0X1F", bad_syntax, 0},
                {"0o17", bad_syntax, 0},
                {"0b101", bad_syntax, 0},
                {" +0x10 ", bad_syntax, 0},
                {"-0b0", bad_syntax, 0},
                {"1_000", bad_syntax, 0},
                {"1_", bad_syntax, 0},
                {"_1", bad_syntax, 0},
                {"0x_10", bad_syntax, 0}});
}

TEST(IdText, SyntaxErrorsWinOverRange) {
  expect_cases({{"99999999999999999999x", bad_syntax, 0}, {"-5x", bad_syntax, 0}});
}

}  // namespace
}  // namespace snowflake
