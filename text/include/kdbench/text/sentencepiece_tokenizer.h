#pragma once
// A SentencePiece unigram vocabulary trained on a task's own text (docs/text.md), for students
// whose vocabulary need not be BERT's. Ids 0..4 are [PAD] [UNK] [CLS] [SEP] [MASK] (BERT's
// vocabulary has them at 0 and 100..103: code reads them from the Tokenizer interface). Input is
// lower-cased by the model's normalizer (nmt_nfkc_cf: NFKC + case folding), at training and at
// encoding alike; [CLS] [SEP] [MASK] written in the text stay whole. SentencePiece itself (Debian
// libsentencepiece) is loaded on first use from the shared module kdbench_sentencepiece, whose path
// is looked up beside an installed kdbench (<prefix>/lib/kdbench), then in the build tree
// ($KDBENCH_SENTENCEPIECE_SHIM overrides both).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kdbench/text/tokenizer.h"

namespace kdbench::text {

// False in an AddressSanitizer build: ASan refuses dlopen(RTLD_DEEPBIND), and without it
// SentencePiece's protobuf would meet LibTorch's; train() and the constructor then throw
// ConfigError saying so (scripts/sanitize.sh skips their tests).
bool sentencepiece_available();

class SentencePieceTokenizer : public Tokenizer {
 public:
  // Trains a unigram model of exactly `vocab_size` pieces on `sentences` (in their order) and
  // writes it to `model_path` (a temporary file renamed into place). Deterministic: one thread
  // and a fixed seed give the same model bytes for the same sentences. Throws ConfigError for a
  // vocab_size below 6, DataError when SentencePiece refuses (too few distinct characters for
  // vocab_size: its message says the largest size possible), IoError when writing fails.
  static void train(const std::vector<std::string>& sentences, int vocab_size,
                    const std::string& model_path);

  // Loads a model written by train(). Throws DataError naming the file when it is missing, not
  // a SentencePiece model, or lacks [PAD] [UNK] [CLS] [SEP] [MASK] at ids 0..4.
  explicit SentencePieceTokenizer(const std::string& model_path);

  std::vector<int32_t> token_ids(std::string_view text) const override;
  // The pieces of `text` ("▁the", "cat"), for tests and inspection.
  std::vector<std::string> tokenize(std::string_view text) const;
  int64_t vocab_size() const override;
  int32_t pad_id() const override { return 0; }
  int32_t unk_id() const override { return 1; }
  int32_t cls_id() const override { return 2; }
  int32_t sep_id() const override { return 3; }
  int32_t mask_id() const override { return 4; }
  std::string name() const override { return "sentencepiece:" + model_path_; }

 private:
  std::string model_path_;
  // SentencePiece's processor, behind the shim that keeps its protobuf apart from LibTorch's
  // (text/sentencepiece_shim.h); shared by copies, released with the last.
  std::shared_ptr<void> processor_;
};

}  // namespace kdbench::text
