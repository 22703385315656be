#include "dataflow/operator.h"

namespace sluice::dataflow {

namespace {

// The default image: the snapshot's bytes, taken at the capture.
class BufferedImage final : public StateImage {
 public:
  explicit BufferedImage(std::string bytes) : bytes_(std::move(bytes)) {}
  void write(StateWriter& writer) const override { writer.raw(bytes_); }

 private:
  std::string bytes_;
};

}  // namespace

std::unique_ptr<StateImage> Operator::capture() const {
  StateWriter writer;
  snapshot(writer);
  return std::make_unique<BufferedImage>(writer.take());
}

}  // namespace sluice::dataflow
