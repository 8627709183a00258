#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "kdbench/core/errors.h"
#include "kdbench/results/run_record.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::results;

TEST(RunRecordJson, EveryFieldSurvivesTextRoundTrip) {
  const RunRecord original = fixtures::full_record("k1");
  // Through text, as between ranks.
  const RunRecord back = record_from_json(nlohmann::json::parse(to_json(original).dump()));
  fixtures::expect_same_record(original, back);
}

TEST(RunRecordJson, EmptyCurvesAndDefaultsRoundTrip) {
  RunRecord running;
  running.key = "k2";
  running.status = Status::Running;
  const RunRecord back = record_from_json(nlohmann::json::parse(to_json(running).dump()));
  fixtures::expect_same_record(running, back);
  EXPECT_EQ(back.curves.size(), 0u);
  EXPECT_EQ(back.teacher_checkpoint, -1);
}

TEST(RunRecordJson, NonFiniteLossBecomesNullAndReadsBackAsNaN) {
  RunRecord r = fixtures::full_record("k3");
  r.curves.train_loss[2] = std::nan("");
  const std::string text = to_json(r).dump();
  EXPECT_NE(text.find("\"train_loss\":[1.9,1.2,null]"), std::string::npos) << text;
  const RunRecord back = record_from_json(nlohmann::json::parse(text));
  EXPECT_TRUE(std::isnan(back.curves.train_loss[2]));
  EXPECT_EQ(back.curves.train_loss[1], 1.2);
}

TEST(RunRecordJson, RejectsMissingOrMistypedFields) {
  nlohmann::json j = to_json(fixtures::full_record("k4"));
  nlohmann::json missing = j;
  missing.erase("best_epoch");
  try {
    record_from_json(missing);
    FAIL() << "missing field accepted";
  } catch (const IoError& e) {
    EXPECT_STREQ(e.what(), "run record JSON: missing field 'best_epoch'");
  }
  nlohmann::json mistyped = j;
  mistyped["seed"] = "seven";
  try {
    record_from_json(mistyped);
    FAIL() << "string seed accepted";
  } catch (const IoError& e) {
    EXPECT_STREQ(e.what(), "run record JSON: field 'seed' must be an integer, got string");
  }
  nlohmann::json ragged = j;
  ragged["curves"]["lr"].push_back(0.1);
  EXPECT_THROW(record_from_json(ragged), IoError);
  nlohmann::json bad_status = j;
  bad_status["status"] = "FINISHED";
  EXPECT_THROW(record_from_json(bad_status), IoError);
  EXPECT_THROW(record_from_json(nlohmann::json::array()), IoError);
}

TEST(RunRecordStatus, TextRoundTripAndUnknownText) {
  for (Status s :
       {Status::Pending, Status::Running, Status::Done, Status::Failed, Status::Interrupted}) {
    EXPECT_EQ(parse_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(Status::Done), "DONE");
  EXPECT_EQ(parse_status("running"), Status::Running);
  try {
    parse_status("OK");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("'OK'"), std::string::npos);
  }
}

TEST(RunRecordTime, UtcNowIsIso8601) {
  EXPECT_TRUE(std::regex_match(utc_now(), std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")));
}
