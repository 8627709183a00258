#include "kdbench/reports/pretraining.h"

#include <algorithm>
#include <sstream>

#include "figures.h"
#include "format.h"
#include "kdbench/reports/csv.h"

namespace kdbench::reports {
namespace {

std::string corpus_text(const nlohmann::json& p, const std::string& dataset) {
  const auto names = p.value("corpus_datasets", nlohmann::json::array());
  const bool own = p.value("corpus", nlohmann::json::array()) == nlohmann::json::array({"grid"});
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n.get<std::string>();
  if (own) out = (out.empty() ? dataset : out) + " (its training split)";
  return out.empty() ? "\u2014" : out;
}

}  // namespace

PretrainingTable pretraining(const StudyResults& study) {
  PretrainingTable table;
  table.dataset = study_dataset(study);
  for (const auto& r : study.runs) {
    if (r.kind != "pretrain" || r.status != results::Status::Done) continue;
    const nlohmann::json p = r.config.value("pretrain", nlohmann::json::object());
    PretrainRow row;
    row.key = r.key;
    row.model = r.model;
    row.corpus = corpus_text(p, table.dataset);
    row.steps = p.value("steps", int64_t{0});
    row.batch_size = p.value("batch_size", int64_t{0});
    row.train_sequences = p.value("train_sequences", int64_t{0});
    row.val_loss = p.value("val_mlm_loss", 0.0);
    row.val_accuracy = p.value("val_mlm_accuracy", 0.0);
    row.seconds = p.value("seconds", 0.0);
    row.sequences_per_second = p.value("sequences_per_second", 0.0);
    for (size_t i = 0; i < r.curves.size(); ++i) {
      row.curve_steps.push_back(r.curves.epoch[i]);
      row.curve_val_accuracy.push_back(r.curves.val_acc[i]);
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<std::string> pretraining_lines(const PretrainingTable& table) {
  std::vector<std::string> lines;
  for (const auto& r : table.rows)
    lines.push_back(r.model + ": MLM-pretrained on " + r.corpus + " for " +
                    with_thousands(r.steps) + " steps, val. MLM acc. " +
                    fixed(100 * r.val_accuracy, 1) + " %");
  return lines;
}

TableModel pretraining_view(const PretrainingTable& table) {
  TableModel t;
  t.label = "tab:pretraining";
  t.title = "Masked-LM pretraining" + on_dataset(table.dataset);
  std::string lines;
  for (const auto& l : pretraining_lines(table)) lines += l + ". ";
  t.caption = lines +
              "These models start every run (teacher, student, assistant, baseline) from the "
              "encoder pretrained here; validation: masked-LM loss and accuracy over the masked "
              "positions of the corpus's validation split (BERT's masking rule, a fixed seed).";
  t.align = "llrrrrrr";
  t.header = {"Model",         "Corpus",        "Steps",   "Sequences",
              "Val. MLM loss", "Val. MLM acc.", "Seconds", "Seq./s"};
  TableSection section;
  for (const auto& r : table.rows)
    section.rows.push_back(
        {text_cell(r.model), text_cell(r.corpus), text_cell(with_thousands(r.steps)),
         text_cell(with_thousands(r.train_sequences)), text_cell(fixed(r.val_loss, 3)),
         text_cell(fixed(100 * r.val_accuracy, 2)), text_cell(fixed(r.seconds, 0)),
         text_cell(fixed(r.sequences_per_second, 1))});
  t.sections.push_back(std::move(section));
  return t;
}

std::string pretraining_csv(const PretrainingTable& table) {
  std::string out =
      csv_line({"key", "model", "corpus", "steps", "batch_size", "train_sequences", "val_mlm_loss",
                "val_mlm_accuracy", "seconds", "sequences_per_second"});
  for (const auto& r : table.rows)
    out +=
        csv_line({r.key, r.model, r.corpus, std::to_string(r.steps), std::to_string(r.batch_size),
                  std::to_string(r.train_sequences), fixed(r.val_loss, 6), fixed(r.val_accuracy, 6),
                  fixed(r.seconds, 3), fixed(r.sequences_per_second, 3)});
  return out;
}

std::vector<Figure> pretraining_figures(const PretrainingTable& table) {
  std::vector<Figure> figures;
  if (table.rows.empty()) return figures;
  std::ostringstream plots;
  std::vector<std::string> models;
  for (const auto& r : table.rows) models.push_back(r.model);
  int64_t last = 1;
  for (const auto& r : table.rows) {
    std::string coords;
    for (size_t i = 0; i < r.curve_steps.size(); ++i) {
      coords += " (" + std::to_string(r.curve_steps[i]) + "," +
                fixed(100 * r.curve_val_accuracy[i], 3) + ")";
      last = std::max(last, r.curve_steps[i]);
    }
    plots << "\\addplot[" << series_style(r.model, models) << "] coordinates {" << coords
          << "};\n\\addlegendentry{" << latex_escape(r.model) << "}\n";
  }
  std::ostringstream tex;
  tex << standalone_preamble()
      << "\\begin{axis}[kdbench, xlabel={Optimizer step}, ylabel={Validation MLM accuracy (\\%)}, "
      << "xmin=0, xmax=" << last << ",\n  title={Masked-LM pretraining"
      << latex_escape(on_dataset(table.dataset))
      << "},\n  legend style={at={(1.03,1)}, anchor=north west}]\n"
      << plots.str() << "\\end{axis}\n"
      << standalone_end();
  figures.push_back({"pretraining_mlm",
                     "Masked-LM pretraining: validation MLM accuracy (%) over the masked "
                     "positions of the corpus's validation split, per optimizer step, one line "
                     "per pretrained model.",
                     tex.str()});
  return figures;
}

}  // namespace kdbench::reports
