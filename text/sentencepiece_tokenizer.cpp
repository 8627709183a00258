#include "kdbench/text/sentencepiece_tokenizer.h"

#include <dlfcn.h>

#include <array>
#include <cstdlib>
#include <filesystem>

#include "kdbench/core/errors.h"
#include "sentencepiece_shim.h"
#include "text_files.h"

namespace kdbench::text {
namespace {

constexpr std::array<const char*, 5> kSpecialPieces = {"[PAD]", "[UNK]", "[CLS]", "[SEP]",
                                                       "[MASK]"};

// The shim's functions, resolved once per process.
struct Shim {
  KdbenchSpmTrain train;
  KdbenchSpmLoad load;
  KdbenchSpmUnload unload;
  KdbenchSpmEncode encode;
  KdbenchSpmPieceSize piece_size;
  KdbenchSpmIdToPiece id_to_piece;
  KdbenchSpmFree free;
};

template <typename Function>
Function shim_symbol(void* module, const char* name, const std::string& path) {
  void* symbol = ::dlsym(module, name);
  if (symbol == nullptr) {
    throw Error("SentencePiece shim " + path + " lacks " + name +
                " (rebuild kdbench_sentencepiece)");
  }
  return reinterpret_cast<Function>(symbol);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kDeepBindAllowed = false;
#else
constexpr bool kDeepBindAllowed = true;
#endif

// $KDBENCH_SENTENCEPIECE_SHIM; else the module installed beside this kdbench
// (<prefix>/<libdir>/kdbench, relative to <prefix>/<bindir>); else the build tree's.
std::string shim_path() {
  const char* override_path = std::getenv("KDBENCH_SENTENCEPIECE_SHIM");
  if (override_path != nullptr && *override_path != '\0') return override_path;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path() / KDBENCH_SENTENCEPIECE_INSTALLED;
    if (std::filesystem::is_regular_file(installed, ec)) return installed.lexically_normal();
  }
  return KDBENCH_SENTENCEPIECE_SHIM;
}

Shim load_shim() {
  if (!kDeepBindAllowed)
    throw ConfigError(
        "SentencePiece is not available in an AddressSanitizer build (ASan refuses the "
        "RTLD_DEEPBIND that keeps its protobuf apart from LibTorch's); use tokenizer = wordpiece");
  const std::string path = shim_path();
  // Local and deep-bound: SentencePiece's bundled protobuf stays its own (sentencepiece_shim.h).
  void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (module == nullptr) {
    throw Error("cannot load the SentencePiece shim " + path + ": " + ::dlerror() +
                " (build the target kdbench_sentencepiece, or set KDBENCH_SENTENCEPIECE_SHIM)");
  }
  return Shim{shim_symbol<KdbenchSpmTrain>(module, "kdbench_spm_train", path),
              shim_symbol<KdbenchSpmLoad>(module, "kdbench_spm_load", path),
              shim_symbol<KdbenchSpmUnload>(module, "kdbench_spm_unload", path),
              shim_symbol<KdbenchSpmEncode>(module, "kdbench_spm_encode", path),
              shim_symbol<KdbenchSpmPieceSize>(module, "kdbench_spm_piece_size", path),
              shim_symbol<KdbenchSpmIdToPiece>(module, "kdbench_spm_id_to_piece", path),
              shim_symbol<KdbenchSpmFree>(module, "kdbench_spm_free", path)};
}

}  // namespace

bool sentencepiece_available() { return kDeepBindAllowed; }

namespace {

const Shim& shim() {
  static const Shim loaded = load_shim();  // never unloaded: processors may outlive main()
  return loaded;
}

// Takes ownership of a message the shim allocated.
std::string take_message(char* message) {
  std::string text = message != nullptr ? message : "unknown error";
  shim().free(message);
  return text;
}

std::string piece_of(const void* processor, int id) {
  char* piece = shim().id_to_piece(processor, id);
  std::string text = piece != nullptr ? piece : "";
  shim().free(piece);
  return text;
}

}  // namespace

void SentencePieceTokenizer::train(const std::vector<std::string>& sentences, int vocab_size,
                                   const std::string& model_path) {
  if (vocab_size < static_cast<int>(kSpecialPieces.size()) + 1) {
    throw ConfigError("SentencePiece vocab_size " + std::to_string(vocab_size) +
                      " (allowed: >= 6, the 5 special tokens and one piece)");
  }
  std::vector<const char*> data;
  std::vector<std::size_t> lengths;
  for (const std::string& sentence : sentences) {
    data.push_back(sentence.data());
    lengths.push_back(sentence.size());
  }
  char* model = nullptr;
  std::size_t model_size = 0;
  char* error = nullptr;
  if (shim().train(data.data(), lengths.data(), sentences.size(), vocab_size, &model, &model_size,
                   &error) != 0) {
    throw DataError("SentencePiece training of " + model_path + " on " +
                    std::to_string(sentences.size()) + " sentences failed: " + take_message(error));
  }
  const std::string bytes(model, model_size);
  shim().free(model);
  text_files::write_atomically(model_path, bytes);
}

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path)
    : model_path_(model_path) {
  void* processor = nullptr;
  char* error = nullptr;
  if (shim().load(model_path.c_str(), &processor, &error) != 0) {
    throw DataError("SentencePiece model " + model_path +
                    ": cannot load it: " + take_message(error));
  }
  processor_ = std::shared_ptr<void>(processor, [](void* p) { shim().unload(p); });
  for (std::size_t id = 0; id < kSpecialPieces.size(); ++id) {
    const int at = static_cast<int>(id);
    if (at >= shim().piece_size(processor) || piece_of(processor, at) != kSpecialPieces[id]) {
      throw DataError("SentencePiece model " + model_path + ": id " + std::to_string(id) +
                      " is not " + kSpecialPieces[id] +
                      " (train it with SentencePieceTokenizer::train)");
    }
  }
}

std::vector<int32_t> SentencePieceTokenizer::token_ids(std::string_view text) const {
  int* ids = nullptr;
  std::size_t count = 0;
  char* error = nullptr;
  if (shim().encode(processor_.get(), text.data(), text.size(), &ids, &count, &error) != 0) {
    throw DataError("SentencePiece model " + model_path_ +
                    ": encoding failed: " + take_message(error));
  }
  std::vector<int32_t> out(ids, ids + count);
  shim().free(ids);
  return out;
}

std::vector<std::string> SentencePieceTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> pieces;
  for (int32_t id : token_ids(text)) pieces.push_back(piece_of(processor_.get(), id));
  return pieces;
}

int64_t SentencePieceTokenizer::vocab_size() const { return shim().piece_size(processor_.get()); }

}  // namespace kdbench::text
