#pragma once
// The C interface of the SentencePiece shim (sentencepiece_shim.cpp, the shared module
// kdbench_sentencepiece), which sentencepiece_tokenizer.cpp loads with dlopen(RTLD_LOCAL |
// RTLD_DEEPBIND) instead of linking SentencePiece.
//
// Why: Debian's libsentencepiece.so.0 carries its own copy of protobuf-lite 3.14 and exports its
// symbols. In a process that also loads libprotobuf.so.32 (LibTorch does), linking both makes
// one library's calls land in the other's protobuf: kdbench crashed during start-up, and with the
// other load order SentencePiece aborts on a protobuf version check. Loaded locally with deep
// binding, SentencePiece resolves its protobuf symbols to its own copy and the rest of the process
// never sees them.
//
// Every function returning int returns 0 on success; on failure it returns non-zero and, where
// there is an `error` argument, sets *error to a message the caller frees with
// kdbench_spm_free. Buffers handed out are malloc'd and freed with kdbench_spm_free too.
#include <cstddef>

extern "C" {

// Trains the unigram model of SentencePieceTokenizer::train (options there) on `count`
// sentences; *model receives the serialized model.
using KdbenchSpmTrain = int (*)(const char* const* sentences, const std::size_t* lengths,
                                std::size_t count, int vocab_size, char** model,
                                std::size_t* model_size, char** error);
using KdbenchSpmLoad = int (*)(const char* path, void** processor, char** error);
using KdbenchSpmUnload = void (*)(void* processor);
using KdbenchSpmEncode = int (*)(const void* processor, const char* text, std::size_t length,
                                 int** ids, std::size_t* count, char** error);
using KdbenchSpmPieceSize = int (*)(const void* processor);
// The piece of `id`, NUL-terminated.
using KdbenchSpmIdToPiece = char* (*)(const void* processor, int id);
using KdbenchSpmFree = void (*)(void* buffer);

}  // extern "C"
