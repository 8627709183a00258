// The SentencePiece shim (sentencepiece_shim.h says why it exists): a C interface over
// SentencePiece's trainer and processor, built as the shared module kdbench_sentencepiece.
#include "sentencepiece_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace {

// SentencePiece's own random generator (it samples while seeding the unigram model); fixed so
// that one corpus always gives one model.
constexpr unsigned kTrainingSeed = 20240611;

char* copy_out(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out != nullptr) std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

int fail(const sentencepiece::util::Status& status, char** error) {
  *error = copy_out(status.ToString());
  return 1;
}

// Feeds the sentences to the trainer in their order, without a temporary input file.
class SentenceList : public sentencepiece::SentenceIterator {
 public:
  explicit SentenceList(std::vector<std::string> sentences) : sentences_(std::move(sentences)) {}
  bool done() const override { return next_ >= sentences_.size(); }
  void Next() override { ++next_; }
  const std::string& value() const override { return sentences_[next_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  std::vector<std::string> sentences_;
  std::size_t next_ = 0;
};

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int kdbench_spm_train(const char* const* sentences,
                                                             const std::size_t* lengths,
                                                             std::size_t count, int vocab_size,
                                                             char** model, std::size_t* model_size,
                                                             char** error) {
  const std::unordered_map<std::string, std::string> options = {
      {"model_type", "unigram"},
      {"vocab_size", std::to_string(vocab_size)},
      {"num_threads", "1"},  // the unigram trainer's EM splits work by thread
      {"pad_id", "0"},
      {"unk_id", "1"},
      {"bos_id", "-1"},
      {"eos_id", "-1"},
      {"pad_piece", "[PAD]"},
      {"unk_piece", "[UNK]"},
      // User-defined, not control symbols: like BertTokenizer, "[SEP]" written in a text stays
      // one token. They take the ids after pad and unk, in this order: 2, 3, 4.
      {"user_defined_symbols", "[CLS],[SEP],[MASK]"},
      {"normalization_rule_name", "nmt_nfkc_cf"},  // NFKC and case folding: lower-cased input
      {"input_sentence_size", "0"},                // every sentence, no sampling
      {"minloglevel", "2"},                        // no training chatter on stderr
  };
  std::vector<std::string> input;
  input.reserve(count);
  for (std::size_t i = 0; i < count; ++i) input.emplace_back(sentences[i], lengths[i]);
  SentenceList list(std::move(input));
  sentencepiece::SetRandomGeneratorSeed(kTrainingSeed);
  std::string serialized;
  const sentencepiece::util::Status status =
      sentencepiece::SentencePieceTrainer::Train(options, &list, &serialized);
  if (!status.ok()) return fail(status, error);
  *model = static_cast<char*>(std::malloc(serialized.empty() ? 1 : serialized.size()));
  if (*model == nullptr) {
    *error = copy_out("out of memory");
    return 1;
  }
  std::memcpy(*model, serialized.data(), serialized.size());
  *model_size = serialized.size();
  return 0;
}

__attribute__((visibility("default"))) int kdbench_spm_load(const char* path, void** processor,
                                                            char** error) {
  auto* loaded = new sentencepiece::SentencePieceProcessor();
  const sentencepiece::util::Status status = loaded->Load(path);
  if (!status.ok()) {
    delete loaded;
    return fail(status, error);
  }
  *processor = loaded;
  return 0;
}

__attribute__((visibility("default"))) void kdbench_spm_unload(void* processor) {
  delete static_cast<sentencepiece::SentencePieceProcessor*>(processor);
}

__attribute__((visibility("default"))) int kdbench_spm_encode(const void* processor,
                                                              const char* text, std::size_t length,
                                                              int** ids, std::size_t* count,
                                                              char** error) {
  std::vector<int> encoded;
  const sentencepiece::util::Status status =
      static_cast<const sentencepiece::SentencePieceProcessor*>(processor)->Encode(
          std::string_view(text, length), &encoded);
  if (!status.ok()) return fail(status, error);
  *ids = static_cast<int*>(std::malloc(sizeof(int) * (encoded.empty() ? 1 : encoded.size())));
  if (*ids == nullptr) {
    *error = copy_out("out of memory");
    return 1;
  }
  std::copy(encoded.begin(), encoded.end(), *ids);
  *count = encoded.size();
  return 0;
}

__attribute__((visibility("default"))) int kdbench_spm_piece_size(const void* processor) {
  return static_cast<const sentencepiece::SentencePieceProcessor*>(processor)->GetPieceSize();
}

__attribute__((visibility("default"))) char* kdbench_spm_id_to_piece(const void* processor,
                                                                     int id) {
  return copy_out(
      static_cast<const sentencepiece::SentencePieceProcessor*>(processor)->IdToPiece(id));
}

__attribute__((visibility("default"))) void kdbench_spm_free(void* buffer) { std::free(buffer); }

}  // extern "C"

// The definitions above match the types the loader casts dlsym's results to.
static_assert(std::is_same_v<decltype(&kdbench_spm_train), KdbenchSpmTrain>);
static_assert(std::is_same_v<decltype(&kdbench_spm_load), KdbenchSpmLoad>);
static_assert(std::is_same_v<decltype(&kdbench_spm_unload), KdbenchSpmUnload>);
static_assert(std::is_same_v<decltype(&kdbench_spm_encode), KdbenchSpmEncode>);
static_assert(std::is_same_v<decltype(&kdbench_spm_piece_size), KdbenchSpmPieceSize>);
static_assert(std::is_same_v<decltype(&kdbench_spm_id_to_piece), KdbenchSpmIdToPiece>);
static_assert(std::is_same_v<decltype(&kdbench_spm_free), KdbenchSpmFree>);
