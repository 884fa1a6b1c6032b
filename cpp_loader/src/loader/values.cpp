// The program's values: storages viewing archive records, classes, objects and constants.
#include <cstdint>
#include <cstring>

#include "loader/build.h"
#include "loader/view.h"

namespace ember {

void load_error(const std::string& message) {
  throw Error(ErrorKind::Load, "program record: " + message);
}

namespace {

constexpr uint32_t kMaxDims = 64;

// Constant kinds by number (the schema's ConstantKind), whichever way flatc spells the enum.
enum Kind : int { kNone, kBool, kInt, kFloat, kComplex, kStr, kDevice, kTensor, kList, kTuple,
                  kDict, kObject };

int kind_of(const fb::Constant* c) { return static_cast<int>(c->kind()); }

template <class T>
uint32_t count(const flatbuffers::Vector<T>* v) {
  return v ? v->size() : 0;
}

std::string text(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

std::shared_ptr<Storage> build_storage(LoadContext& ctx, const fb::Storage& s, uint32_t i) {
  std::string name = ctx.record_name(s.record()->str());
  std::string where = "storage " + std::to_string(i) + " (" + name + ")";
  const ZipEntry* entry = ctx.zip->find(name);
  if (entry == nullptr) load_error(where + ": the archive has no such record");
  int64_t code = static_cast<int64_t>(s.dtype());
  if (!is_valid_dtype(code)) load_error(where + ": bad dtype " + std::to_string(code));
  DType dtype = static_cast<DType>(code);
  size_t item = itemsize(dtype);
  uint64_t nbytes = 0;
  if (s.numel() < 0) load_error(where + ": negative numel");
  if (__builtin_mul_overflow(static_cast<uint64_t>(s.numel()), static_cast<uint64_t>(item),
                             &nbytes) ||
      nbytes > entry->size) {
    load_error(where + ": " + std::to_string(s.numel()) + " elements of " +
               std::string(dtype_name(dtype)) + " need more than the record's " +
               std::to_string(entry->size) + " bytes");
  }
  ctx.storage_dtypes.push_back(dtype);
  ctx.storage_numels.push_back(s.numel());
  const uint8_t* data = ctx.zip->stored(*entry, false);
  size_t n = static_cast<size_t>(nbytes);
  if (reinterpret_cast<uintptr_t>(data) % item != 0) {  // kernels read typed: copy
    auto copy = Storage::allocate(n);
    if (n) std::memcpy(copy->data(), data, n);
    return copy;
  }
  return Storage::view(const_cast<uint8_t*>(data), n, ctx.bytes.owner);
}

// The verifier checks a vector's length word, not its elements: an int64 vector whose data
// sits 4 bytes off an 8-byte boundary passes it, and reading it would be undefined behaviour.
// Writers align such vectors, so a misaligned one is damage.
const flatbuffers::Vector<int64_t>* aligned(const flatbuffers::Vector<int64_t>* v,
                                            const std::string& where, const char* what) {
  if (v != nullptr && reinterpret_cast<uintptr_t>(v->Data()) % alignof(int64_t) != 0) {
    load_error(where + ": the " + what + " vector is not aligned to 8 bytes");
  }
  return v;
}

Tensor build_tensor(const LoadContext& ctx, const fb::TensorRef* ref, const std::string& where) {
  const Program& p = *ctx.program;
  if (ref == nullptr) load_error(where + ": a tensor constant without a tensor");
  uint32_t index = ref->storage();
  if (index >= p.storages.size()) {
    load_error(where + ": storage " + std::to_string(index) + " out of range (" +
               std::to_string(p.storages.size()) + " storages)");
  }
  const auto* size_vector = aligned(ref->sizes(), where, "sizes");
  const auto* stride_vector = aligned(ref->strides(), where, "strides");
  uint32_t ndim = count(size_vector);
  if (ndim != count(stride_vector)) load_error(where + ": sizes and strides differ in length");
  if (ndim > kMaxDims) load_error(where + ": " + std::to_string(ndim) + " dimensions");
  Dims sizes, strides;
  for (uint32_t d = 0; d < ndim; ++d) {
    sizes.push_back(size_vector->Get(d));
    strides.push_back(stride_vector->Get(d));
  }
  int64_t offset = ref->offset();
  check_view(ctx.storage_numels[index], offset, sizes, strides, "program record: " + where);
  Tensor t = Tensor::make(p.storages[index], offset, sizes, strides, ctx.storage_dtypes[index]);
  t.impl()->requires_grad = ref->requires_grad();
  return t;
}

void build_classes(LoadContext& ctx) {
  const auto* classes = ctx.record->classes();
  for (uint32_t i = 0; i < count(classes); ++i) {
    const fb::Class* c = classes->Get(i);
    auto info = std::make_shared<ClassInfo>();
    info->name = c->name()->str();
    for (uint32_t k = 0; k < count(c->attributes()); ++k) {
      info->attributes.push_back(c->attributes()->Get(k)->str());
    }
    for (uint32_t k = 0; k < count(c->attribute_types()); ++k) {
      info->attribute_types.push_back(c->attribute_types()->Get(k)->str());
    }
    if (!info->attribute_types.empty() &&
        info->attribute_types.size() != info->attributes.size()) {
      load_error("class " + info->name + ": attribute types and names differ in number");
    }
    info->is_module = c->is_module();
    ctx.program->classes.push_back(std::move(info));
  }
}

// Objects and the constants they hold may not form a cycle (it would never be freed).
void check_acyclic(const LoadContext& ctx) {
  const auto* constants = ctx.record->constants();
  const auto* objects = ctx.record->objects();
  uint32_t nc = count(constants), no = count(objects);
  std::vector<uint8_t> color(static_cast<size_t>(nc) + no, 0);  // 0 new, 1 open, 2 done
  auto edges = [&](uint32_t node) -> std::vector<uint32_t> {
    std::vector<uint32_t> out;
    if (node < nc) {
      const fb::Constant* c = constants->Get(node);
      // Indices out of range are reported by build_constant; here they lead nowhere.
      if (kind_of(c) == kObject && c->object() < no) out.push_back(nc + c->object());
      for (uint32_t k = 0; k < count(c->items()); ++k) {
        if (c->items()->Get(k) < node) out.push_back(c->items()->Get(k));
      }
    } else {
      const fb::Object* o = objects->Get(node - nc);
      for (uint32_t k = 0; k < count(o->slots()); ++k) out.push_back(o->slots()->Get(k));
    }
    return out;
  };
  struct Visit {
    uint32_t node;
    std::vector<uint32_t> next;
    size_t at;
  };
  for (uint32_t start = nc; start < nc + no; ++start) {
    if (color[start]) continue;
    std::vector<Visit> stack{{start, edges(start), 0}};
    color[start] = 1;
    while (!stack.empty()) {
      Visit& v = stack.back();
      if (v.at == v.next.size()) {
        color[v.node] = 2;
        stack.pop_back();
        continue;
      }
      uint32_t n = v.next[v.at++];
      if (color[n] == 1) load_error("object " + std::to_string(start - nc) + " contains itself");
      if (color[n] == 0) {
        color[n] = 1;
        stack.push_back({n, edges(n), 0});
      }
    }
  }
}

void check_objects(const LoadContext& ctx) {
  const Program& p = *ctx.program;
  const auto* objects = ctx.record->objects();
  uint32_t nc = count(ctx.record->constants());
  for (uint32_t i = 0; i < count(objects); ++i) {
    const fb::Object* o = objects->Get(i);
    std::string where = "object " + std::to_string(i);
    if (o->class_index() >= p.classes.size()) load_error(where + ": class index out of range");
    const ClassInfo& cls = *p.classes[o->class_index()];
    if (count(o->slots()) != cls.attributes.size()) {
      load_error(where + " (" + cls.name + "): " + std::to_string(count(o->slots())) +
                 " slots for " + std::to_string(cls.attributes.size()) + " attributes");
    }
    for (uint32_t k = 0; k < count(o->slots()); ++k) {
      if (o->slots()->Get(k) >= nc) load_error(where + ": slot constant out of range");
    }
  }
}

Value build_constant(const LoadContext& ctx, const fb::Constant* c, uint32_t i) {
  const Program& p = *ctx.program;
  std::string where = "constant " + std::to_string(i);
  std::vector<Value> items;
  for (uint32_t k = 0; k < count(c->items()); ++k) {
    uint32_t item = c->items()->Get(k);
    if (item >= i) load_error(where + ": item " + std::to_string(item) + " is not an earlier constant");
    items.push_back(p.constants[item]);
  }
  switch (kind_of(c)) {
    case kNone: return Value();
    case kBool: return Value(c->int_value() != 0);
    case kInt: return Value(static_cast<int64_t>(c->int_value()));
    case kFloat: return Value(c->float_value());
    case kComplex:
      return Value(std::complex<double>(c->float_value(), c->imag_value()));
    case kStr: return Value(text(c->str_value()));
    case kDevice: return Value::device(text(c->str_value()));
    case kTensor: return Value(build_tensor(ctx, c->tensor(), where));
    case kList: return Value::list(std::move(items));
    case kTuple: {
      auto t = std::make_shared<Tuple>();
      t->items = std::move(items);
      std::string type = text(c->type());
      if (type.compare(0, 10, "__torch__.") == 0) t->type = type;
      return Value(std::move(t));
    }
    case kDict: {
      if (items.size() % 2 != 0) load_error(where + ": a dict with an odd number of items");
      auto d = std::make_shared<Dict>();
      for (size_t k = 0; k < items.size(); k += 2) d->set(items[k], items[k + 1]);
      return Value(std::move(d));
    }
    case kObject:
      if (c->object() >= p.objects.size()) load_error(where + ": object index out of range");
      return Value(p.objects[c->object()]);
  }
  load_error(where + ": unknown kind " + std::to_string(static_cast<int>(c->kind())));
}

}  // namespace

void build_values(LoadContext& ctx) {
  Program& p = *ctx.program;
  const fb::Program* r = ctx.record;
  for (uint32_t i = 0; i < count(r->storages()); ++i) {
    p.storages.push_back(build_storage(ctx, *r->storages()->Get(i), i));
  }
  build_classes(ctx);
  check_objects(ctx);
  check_acyclic(ctx);
  for (uint32_t i = 0; i < count(r->objects()); ++i) {
    auto obj = std::make_shared<Object>();
    obj->cls = p.classes[r->objects()->Get(i)->class_index()];
    p.objects.push_back(std::move(obj));
  }
  for (uint32_t i = 0; i < count(r->constants()); ++i) {
    p.constants.push_back(build_constant(ctx, r->constants()->Get(i), i));
  }
  for (uint32_t i = 0; i < count(r->objects()); ++i) {
    const auto* slots = r->objects()->Get(i)->slots();
    for (uint32_t k = 0; k < count(slots); ++k) {
      p.objects[i]->slots.push_back(p.constants[slots->Get(k)]);
    }
  }
  if (!p.objects.empty()) {
    if (r->root() >= p.objects.size()) load_error("root object index out of range");
    p.root = Value(p.objects[r->root()]);
  }
}

}  // namespace ember
