#pragma once
// Artifacts directory (DESIGN.md §4): checkpoints and caches addressed by task key, written
// atomically (write to a temporary name in the same directory, then rename), so a reader never
// sees half a file and a crash never leaves one behind under the real name.
#include <functional>
#include <string>

namespace kdbench::results {

class Artifacts {
 public:
  explicit Artifacts(std::string root);
  const std::string& root() const { return root_; }
  // <root>/<key>/ (created on demand by write_atomic).
  std::string dir_for(const std::string& key) const;
  // <root>/<key>/<name>
  std::string path_for(const std::string& key, const std::string& name) const;
  bool exists(const std::string& key, const std::string& name) const;
  // Calls write(tmp_path) then renames tmp_path to the final path; removes tmp on failure.
  void write_atomic(const std::string& key, const std::string& name,
                    const std::function<void(const std::string& tmp_path)>& write) const;
  void remove(const std::string& key, const std::string& name) const;

 private:
  std::string root_;
};

// Checkpoint file names: "epoch-<e>.pt" for kept epochs, "final.pt" for the last weights.
std::string checkpoint_name(int epoch);  // epoch < 0 -> "final.pt"

}  // namespace kdbench::results
