#include "kdbench/text/vocab.h"

#include <fstream>

#include "kdbench/core/errors.h"

namespace kdbench::text {

Vocab Vocab::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("vocabulary " + path + ": cannot open it (a BERT vocab.txt)");
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    // A vocabulary saved on Windows ends lines in CR LF; the CR is not part of the token.
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(line);
  }
  if (in.bad()) throw DataError("vocabulary " + path + ": read error");
  return from_tokens(std::move(tokens), path);
}

Vocab Vocab::from_tokens(std::vector<std::string> tokens, const std::string& origin) {
  if (tokens.empty()) {
    throw DataError("vocabulary " + origin + ": empty (want one token per line, id = line number)");
  }
  Vocab vocab;
  vocab.ids_.reserve(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (token.empty()) {
      throw DataError("vocabulary " + origin + ": line " + std::to_string(i + 1) +
                      " is empty (every line must hold one token)");
    }
    const auto [it, inserted] = vocab.ids_.emplace(token, static_cast<int32_t>(i));
    if (!inserted) {
      throw DataError("vocabulary " + origin + ": token '" + token + "' on line " +
                      std::to_string(i + 1) + " repeats line " + std::to_string(it->second + 1));
    }
  }
  vocab.tokens_ = std::move(tokens);
  std::string missing;
  const auto special = [&](const char* name) {
    const int32_t id = vocab.find(name);
    if (id < 0) missing += std::string(missing.empty() ? "" : " ") + name;
    return id;
  };
  vocab.pad_id_ = special("[PAD]");
  vocab.unk_id_ = special("[UNK]");
  vocab.cls_id_ = special("[CLS]");
  vocab.sep_id_ = special("[SEP]");
  vocab.mask_id_ = special("[MASK]");
  if (!missing.empty()) {
    throw DataError("vocabulary " + origin + ": lacks the special token(s) " + missing +
                    " (a BERT vocabulary has [PAD] [UNK] [CLS] [SEP] [MASK])");
  }
  return vocab;
}

int32_t Vocab::find(const std::string& token) const {
  const auto it = ids_.find(token);
  return it == ids_.end() ? -1 : it->second;
}

}  // namespace kdbench::text
