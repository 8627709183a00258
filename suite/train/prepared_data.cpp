#include "kdbench/train/prepared_data.h"

namespace kdbench::train {

PreparedData prepare(const datasets::Splits& s) {
  PreparedData d;
  d.train_x = datasets::normalize(s.train.images, s.mean, s.std);
  d.train_y = s.train.labels;
  d.val_x = datasets::normalize(s.val.images, s.mean, s.std);
  d.val_y = s.val.labels;
  d.test_x = datasets::normalize(s.test.images, s.mean, s.std);
  d.test_y = s.test.labels;
  d.num_classes = s.num_classes;
  d.shape = s.shape;
  d.mean = s.mean;
  d.std = s.std;
  return d;
}

}  // namespace kdbench::train
