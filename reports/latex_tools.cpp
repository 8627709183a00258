#include "latex_tools.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <system_error>
#include <thread>

namespace fs = std::filesystem;

namespace kdbench::reports {

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool program_available(const std::string& program) {
  const std::string cmd = "command -v " + shell_quote(program) + " > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

bool run_pdflatex(const fs::path& dir, const std::string& stem) {
  // SOURCE_DATE_EPOCH pins the PDF's dates, so the same report gives the same bytes.
  const std::string cmd = "cd " + shell_quote(dir.string()) +
                          " && SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdflatex"
                          " -interaction=nonstopmode -halt-on-error -file-line-error " +
                          shell_quote(stem + ".tex") + " > /dev/null 2>&1 < /dev/null";
  const bool ok = std::system(cmd.c_str()) == 0 && fs::exists(dir / (stem + ".pdf"));
  std::error_code ignored;
  fs::remove(dir / (stem + ".aux"), ignored);
  if (ok) fs::remove(dir / (stem + ".log"), ignored);
  return ok;
}

bool run_pdftoppm(const fs::path& dir, const std::string& stem) {
  const std::string cmd = "pdftoppm -png -r 150 -singlefile " +
                          shell_quote((dir / (stem + ".pdf")).string()) + " " +
                          shell_quote((dir / stem).string()) + " > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0 && fs::exists(dir / (stem + ".png"));
}

std::vector<bool> run_parallel(const std::vector<std::function<bool()>>& jobs, int parallel) {
  std::vector<char> ok(jobs.size(), 0);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) ok[i] = jobs[i]() ? 1 : 0;
  };
  const size_t threads = std::min(jobs.size(), static_cast<size_t>(std::max(1, parallel)));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return std::vector<bool>(ok.begin(), ok.end());
}

}  // namespace kdbench::reports
