#pragma once
// A BERT WordPiece vocabulary (vocab.txt): one token per line, the token's id is its line number
// counted from 0.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace kdbench::text {

class Vocab {
 public:
  // Reads vocab.txt. Throws DataError naming the file when it is missing, unreadable, empty, has
  // an empty line, a duplicate token, or lacks one of [PAD] [UNK] [CLS] [SEP] [MASK].
  static Vocab load(const std::string& path);
  // The same checks on tokens in id order; `origin` names them in errors.
  static Vocab from_tokens(std::vector<std::string> tokens, const std::string& origin);

  // The id of `token`, or -1 when the vocabulary lacks it.
  int32_t find(const std::string& token) const;
  const std::string& token(int32_t id) const { return tokens_.at(static_cast<std::size_t>(id)); }
  std::size_t size() const { return tokens_.size(); }

  int32_t pad_id() const { return pad_id_; }
  int32_t unk_id() const { return unk_id_; }
  int32_t cls_id() const { return cls_id_; }
  int32_t sep_id() const { return sep_id_; }
  int32_t mask_id() const { return mask_id_; }

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int32_t> ids_;
  int32_t pad_id_ = -1, unk_id_ = -1, cls_id_ = -1, sep_id_ = -1, mask_id_ = -1;
};

}  // namespace kdbench::text
