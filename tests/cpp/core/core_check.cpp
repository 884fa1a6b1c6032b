// core_check promote FILE | half FILE | result FILE | tensor | value | iter | copy
//   promote: lines "a b r" (ScalarType numbers; r = torch.promote_types(a, b), -1 if it throws)
//   half:    lines "f32bits f16bits bf16bits" (numpy's and torch's conversions of a float)
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "check.h"
#include "core/dispatch.h"
#include "core/iter.h"
#include "core/promote.h"
#include "core/scalar.h"
#include "ember/ember.h"

using namespace ember;

int g_failures = 0;

static void check_promote(const char* path) {
  std::ifstream f(path);
  int a, b, r, n = 0;
  while (f >> a >> b >> r) {
    if (r < 0) continue;
    DType got = promote_types(static_cast<DType>(a), static_cast<DType>(b));
    if (static_cast<int>(got) != r) {
      std::printf("promote_types(%d, %d) = %d, torch says %d\n", a, b, static_cast<int>(got), r);
      ++g_failures;
    }
    ++n;
  }
  std::printf("%d pairs\n", n);
  CHECK(n > 100);
}

static void check_half(const char* path) {
  std::ifstream f(path);
  uint32_t bits;
  unsigned h, b;
  int n = 0;
  while (f >> bits >> h >> b) {
    float v;
    std::memcpy(&v, &bits, 4);
    Half hv(v);
    BFloat16 bv(v);
    if (std::isnan(v)) {  // any NaN will do (torch's vectorised and scalar paths differ)
      CHECK((hv.bits & 0x7fff) > 0x7c00 && (bv.bits & 0x7fff) > 0x7f80);
    } else if (hv.bits != h || bv.bits != b) {
      std::printf("%g: half %x (want %x), bfloat16 %x (want %x)\n", v, hv.bits, h, bv.bits, b);
      ++g_failures;
    }
    if (!std::isnan(v) && (hv.bits & 0x7c00) != 0x7c00) CHECK(Half(static_cast<float>(hv)).bits == hv.bits);
    ++n;
  }
  std::printf("%d values\n", n);
  CHECK(n > 100);
}

// Lines "want op op ...": op is tN:D (a tensor of ScalarType N, D dims) or sb/si/sf/sc (a
// bool/int/float/complex Python scalar); want is ember.dtypes.result_type's ScalarType.
static void check_result_type(const char* path) {
  std::ifstream f(path);
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    std::istringstream words(line);
    int want;
    std::string op;
    words >> want;
    ResultType rt;
    while (words >> op) {
      if (op[0] == 't') {
        size_t colon = op.find(':');
        rt.add(static_cast<DType>(std::stoi(op.substr(1, colon - 1))), op.substr(colon + 1) == "0");
      } else {
        Value v = op[1] == 'b' ? Value(true) : op[1] == 'i' ? Value(int64_t(1))
                : op[1] == 'f' ? Value(1.5) : Value(std::complex<double>(1, 1));
        rt.add(v);
      }
    }
    if (static_cast<int>(rt.get()) != want) {
      std::printf("result_type(%s) = %d, ember says %d\n", line.c_str(), static_cast<int>(rt.get()), want);
      ++g_failures;
    }
    ++n;
  }
  std::printf("%d cases\n", n);
  CHECK(n > 100);
}

static void check_conversions_and_promotion() {
  CHECK(convert<int8_t>(300.0f) == 44);
  CHECK(convert<uint8_t>(-1.0f) == 255);
  CHECK(convert<int32_t>(3e9f) == INT32_MIN);
  CHECK(convert<int64_t>(NAN) == INT64_MIN);
  CHECK(convert<bool>(0.5f) && !convert<bool>(Half(0.0f)));
  CHECK(convert<int8_t>(BFloat16(300.0f)) == 44);
  CHECK(convert<float>(std::complex<double>(2, 3)) == 2.0f);
  Tensor i1 = Tensor::zeros({3}, DType::Int32), f0 = Tensor::zeros({}, DType::Float64);
  Tensor u1 = Tensor::zeros({2}, DType::UInt8), l0 = Tensor::zeros({}, DType::Int64);
  Tensor b1 = Tensor::zeros({2}, DType::Bool), h1 = Tensor::zeros({2}, DType::Float16);
  CHECK(result_type(i1, Value(2.5)) == DType::Float32);
  CHECK(result_type(i1, f0) == DType::Float64);
  CHECK(result_type(u1, l0) == DType::UInt8);
  CHECK(result_type(Value(true), Value(int64_t(1))) == DType::Int64);
  CHECK(result_type(h1, Value(1.0)) == DType::Float16);
  CHECK(result_type(b1, Value(1.0)) == DType::Float32);
  CHECK(result_type(b1, Value(int64_t(3))) == DType::Int64);
  CHECK(result_type(Tensor::zeros({2}, DType::Float32), Value(std::complex<double>(1, 2))) ==
        DType::Complex64);
  CHECK(result_type(Tensor::zeros({2}, DType::Float64), Value(std::complex<double>(1, 2))) ==
        DType::Complex128);
  CHECK(throws([] { ResultType().get(); }, "at least one"));
  CHECK(scalar_as<float>(Value(int64_t(3))) == 3.0f && scalar_as<Half>(Value(true)) == 1.0f);
  CHECK(throws([] { EMBER_DISPATCH_FLOATING(DType::Bool, "aten::sin", [&] { return 0; }); },
               "\"aten::sin\" not implemented for 'Bool'"));
}

static void check_tensors() {
  CHECK((broadcast_shapes({3, 1}, {4}) == Dims{3, 4}));
  CHECK(throws([] { broadcast_shapes({2, 3}, {4}); },
               "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
               "dimension 1"));
  Tensor out = Tensor::empty({3, 4}, DType::Float32);
  for (int i = 0; i < 12; ++i) out.data<float>()[i] = static_cast<float>(i);
  Tensor tr = out.as_strided({4, 3}, {1, 4}, 0);
  CHECK(!tr.is_contiguous() && out.is_contiguous());
  Tensor d = tr.to(DType::Float64);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) CHECK(d.data<double>()[i * 3 + j] == j * 4 + i);
  Tensor big = Tensor::zeros({5, 6, 7}, DType::Int64);
  Tensor rows = big.as_strided({5, 3, 7}, {42, 14, 1}, 7);  // big[:, 1::2]
  Tensor src = Tensor::empty({7}, DType::Int32);
  for (int i = 0; i < 7; ++i) src.data<int32_t>()[i] = i + 1;
  rows.copy_from(src);
  int64_t sum = 0;
  for_each<int64_t>(big, [&](int64_t v) { sum += v; });
  CHECK(sum == 5 * 3 * 28);
  CHECK(big.data<int64_t>()[7 + 3] == 4 && big.data<int64_t>()[3] == 0);
  CHECK(throws([&] { big.as_strided({10}, {30}, 0); }, "out of bounds"));
  CHECK(throws([&] { rows.copy_from(Tensor::zeros({2}, DType::Int32)); }, "must match"));
  CHECK(throws([&] { src.copy_from(Tensor::zeros({2, 7}, DType::Int32)); },
               "doesn't match the broadcast shape"));
  Tensor x = Tensor::empty({5}, DType::Float32);
  for (int i = 0; i < 5; ++i) x.data<float>()[i] = static_cast<float>(i);
  x.as_strided({4}, {1}, 1).copy_from(x.as_strided({4}, {1}, 0));  // x[1:] = x[:-1]
  CHECK(x.data<float>()[4] == 3 && x.data<float>()[1] == 0 && x.data<float>()[0] == 0);
  CHECK(Tensor::zeros({2, 0, 3}, DType::Float32).numel() == 0);
  CHECK(throws([] { Tensor::empty({-1, 3}, DType::Float32); }, "negative dimension"));
  CHECK(throws([] { Tensor::empty({1LL << 40, 1LL << 40}, DType::Float32); }, "too large"));
  CHECK(x.size(-1) == 5);
  CHECK(throws([&] { x.size(1); }, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"));
  CHECK(reinterpret_cast<uintptr_t>(Tensor::empty({3}, DType::Float32).data_ptr()) % 64 == 0);
  Tensor h = Tensor::from_vector({1.5f, -2.25f}).to(DType::Float16).to(DType::BFloat16).to(DType::Int64);
  CHECK(h.data<int64_t>()[0] == 1 && h.data<int64_t>()[1] == -2);
  CHECK(Tensor::from_vector({2.5f}).item_int() == 2 && Tensor::from_vector({2.5f}).item_double() == 2.5);
  CHECK(throws([&] { x.item_double(); }, "a Tensor with 5 elements cannot be converted to Scalar"));
  float buf[6] = {0, 1, 2, 3, 4, 5};
  Tensor blob = Tensor::from_blob(buf, {2, 3}, DType::Float32);
  CHECK(blob.data_ptr() == buf && blob.stride(0) == 3);
  float back[6];
  blob.as_strided({3, 2}, {1, 3}, 0).copy_to(back);
  CHECK(back[1] == 3 && back[2] == 1);
}

static void check_values() {
  Value l = Value::int_list({1, 2, 3});
  Value l2 = l;
  CHECK(l.is(l2) && l.equals(Value::int_list({1, 2, 3})) && !l.is(Value::int_list({1, 2, 3})));
  l.to_list()->items.push_back(Value(int64_t(4)));
  CHECK(l2.items().size() == 4);
  CHECK(Value(int64_t(1)).equals(Value(1.0)) && !Value(int64_t(1)).is(Value(1.0)));
  CHECK(Value("a").equals(Value("a")) && !Value("a").is(Value("a")));
  CHECK(Value::device("cpu").is(Value::device("cpu")) && Value::device("cpu").to_string() == "cpu");
  CHECK(Value().is(Value(Tensor())) && Value().is(Value()) && !Value().equals(Value(int64_t(0))));
  CHECK(throws([] { Value(1.5).to_int(); }, "int but got float"));
  CHECK(throws([] { Value(int64_t(1)).to_list(); }, "List but got int"));
  CHECK(Value(true).to_double() == 1.0 && Value(int64_t(7)).to_double() == 7.0);
  CHECK((Value::tuple({Value(int64_t(1)), Value(2.0)}).to_double_vector() == std::vector<double>{1, 2}));
  auto dict = std::make_shared<Dict>();
  dict->set(Value("a"), Value(int64_t(1)));
  dict->set(Value("b"), Value(int64_t(2)));
  dict->set(Value("a"), Value(int64_t(3)));
  CHECK(dict->items.size() == 2 && dict->find(Value("a")) == 0 && dict->find(Value("c")) == -1);
  CHECK(dict->items[0].second.to_int() == 3);
  Tensor k = Tensor::zeros({2}, DType::Float32);
  dict->set(Value(k), Value(int64_t(5)));
  CHECK(dict->find(Value(k)) == 2 && dict->find(Value(Tensor::zeros({2}, DType::Float32))) == -1);
  Value nest = Value::list({Value::list({Value(int64_t(9))})});
  nest = nest.items()[0];  // assigning a value its own container owns
  CHECK(nest.items()[0].to_int() == 9);
  Value moved = std::move(nest);
  CHECK(nest.is_none() && moved.is_list());
  ClassInfo ci{"M", {"a", "b"}, {"int", "int"}, true};
  CHECK(ci.slot("b") == 1 && ci.slot("z") == -1);
  CHECK(Value(Tensor::from_vector({1.f})).equals(Value(Tensor::from_vector({1.f}))));
  CHECK(throws([] { Value(Tensor::from_vector({1.f, 2.f})).equals(Value(Tensor::from_vector({1.f, 2.f}))); },
               "ambiguous"));
  CHECK(std::string(tag_name(Tag::Double)) == "float" && std::string(tag_name(Tag::String)) == "str");
}

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "";
  if (what == "promote" && argc > 2) check_promote(argv[2]);
  else if (what == "half" && argc > 2) check_half(argv[2]);
  else if (what == "result" && argc > 2) check_result_type(argv[2]);
  else if (what == "tensor") check_tensors(), check_conversions_and_promotion();
  else if (what == "value") check_values();
  else if (what == "iter") check_iteration();
  else if (what == "copy") check_copies();
  else {
    std::fprintf(stderr, "usage: core_check promote FILE | half FILE | result FILE | tensor | value | iter | copy\n");
    return 2;
  }
  std::printf("%s (%d failures)\n", g_failures ? "FAILED" : "ok", g_failures);
  return g_failures != 0;
}
