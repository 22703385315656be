#pragma once
// JsonWriter: builds a JSON document in a string, keeping track of commas, so callers say what
// they write (objects, arrays, keys, values) and never edit the text they produced.
//
//   JsonWriter w;
//   w.begin_object();
//   w.key("name").value("t");
//   w.key("outputs").begin_array().value("s").end_array();
//   w.end_object();
//   std::string json = w.take();
//
// Thread: one thread at a time (a value type).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next member of the current object.
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(int64_t number);
  JsonWriter& value(double number);
  JsonWriter& value(bool b);
  JsonWriter& null();

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  // Before a value or a key: the comma that separates it from the previous one.
  void separate();

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace sluice
