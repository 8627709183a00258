#pragma once
// Running the external LaTeX tools (pdflatex, pdftoppm) through the shell. They are optional:
// callers ask first whether a tool exists and turn its absence into a message.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kdbench::reports {

// Whether the shell finds `program` (command -v), so PATH is honoured without reading it here.
bool program_available(const std::string& program);

// pdflatex -interaction=nonstopmode -halt-on-error STEM.tex inside `dir`. On success the .aux and
// .log files are removed and true returned; on failure DIR/STEM.log stays for the user.
bool run_pdflatex(const std::filesystem::path& dir, const std::string& stem);

// pdftoppm -png -r 150 -singlefile DIR/STEM.pdf DIR/STEM (writes DIR/STEM.png).
bool run_pdftoppm(const std::filesystem::path& dir, const std::string& stem);

// Runs the jobs with at most `parallel` at a time (each job is one external process, so threads
// only wait); results in job order.
std::vector<bool> run_parallel(const std::vector<std::function<bool()>>& jobs, int parallel);

// Single-quoted for the POSIX shell.
std::string shell_quote(const std::string& text);

}  // namespace kdbench::reports
